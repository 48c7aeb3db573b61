package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.TinyCorpus;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.CheckpointStore;
import gptkit.config.TrainConfig;
import gptkit.exercises.NotImplementedYet;
import gptkit.model.GPTConfig;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static gptkit.grading.Expect.that;

/**
 * Grades exercises/Checkpoint.java (checkpoint, notebook 09): the CheckpointStore part. Exact
 * round trips of the header and of named tensors (fixed and drawn), a run resumed from the
 * student's checkpoint by the real Trainer against one never stopped (bit for bit), the atomic
 * replace (a hard link to the old file must still read the old checkpoint after a save), a save
 * that fails half-way, and loads of missing or cut files.
 */
@ExtendWith(ReportCard.class)
public class CheckpointExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        CheckpointStore create();
    }

    // ---- what is saved: a header and named tensors, fixed or drawn ----

    /** What a checkpoint holds, as plain values (the NDArrays are made from it per check). */
    record Saved(Checkpoint.Header header, Map<String, long[]> shapes, Map<String, float[]> values) {}

    /** A run at iteration 250, with values that text formats or float16 lose (-0.0, 1e-45, 1/3). */
    static Saved shakespeare(float bump) {
        Checkpoint.Header h = new Checkpoint.Header();
        String vocab = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        h.model_args = new GPTConfig(256, vocab.length(), 6, 6, 384, 0.2, false);
        h.iter_num = 250;
        h.best_val_loss = 1.4697265625123 + bump;
        h.optimizer_step = 250;
        h.scaler_scale = 32768.0;
        h.scaler_growth_tracker = 17;
        h.skipped_steps = 3;
        h.config = TrainConfig.preset("default").toMap();
        h.config.put("dataset", "shakespeare_char");
        h.config.put("learning_rate", 1e-3 + bump);
        h.vocab = vocab;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        shapes.put("transformer.wte.weight", new long[] {2, 3});
        values.put("transformer.wte.weight", new float[] {0.1f + bump, -0.0f, 1e-45f, 1f / 3, -2.5e7f, 42f});
        shapes.put("transformer.ln_f.weight", new long[] {2});
        values.put("transformer.ln_f.weight", new float[] {1f, 0.5f + bump});
        for (String p : List.of("transformer.wte.weight", "transformer.ln_f.weight")) {
            float[] v = values.get(p);
            float[] m = new float[v.length];
            float[] q = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                m[i] = v[i] * 0.01f;
                q[i] = v[i] * v[i] * 1e-4f;
            }
            shapes.put("optimizer.exp_avg." + p, shapes.get(p));
            values.put("optimizer.exp_avg." + p, m);
            shapes.put("optimizer.exp_avg_sq." + p, shapes.get(p));
            values.put("optimizer.exp_avg_sq." + p, q);
        }
        return new Saved(h, shapes, values);
    }

    /** Characters a vocabulary may hold: ASCII, accents, CJK, and one outside the BMP (two chars in Java). */
    static final String CHARS = "\n !&',-.:;?ABCXYZabcxyz0123éüß春眠不觉晓处闻啼鸟\uD834\uDD1E";

    /** A header and tensors drawn for this run: sizes, counters, losses, names, shapes and values. */
    static Saved drawn() {
        Random r = Grader.random();
        Checkpoint.Header h = new Checkpoint.Header();
        int[] cps = CHARS.codePoints().toArray();
        StringBuilder vocab = new StringBuilder();
        for (int cp : cps) {
            if (r.nextInt(3) > 0) {
                vocab.appendCodePoint(cp);
            }
        }
        int nHead = 1 + r.nextInt(8);
        h.model_args = new GPTConfig(1 + r.nextInt(1024), Math.max(1, vocab.codePointCount(0, vocab.length())),
                1 + r.nextInt(12), nHead, nHead * (1 + r.nextInt(32)), r.nextDouble() * 0.5, r.nextBoolean());
        if (vocab.length() == 0) {
            vocab.append('a');
        }
        h.vocab = vocab.toString();
        h.iter_num = r.nextInt(600_000);
        h.best_val_loss = r.nextInt(4) == 0 ? 1e9 : 0.5 + 4 * r.nextDouble(); // 1e9: no eval yet, as in train.py
        h.optimizer_step = h.iter_num + (long) r.nextInt(1 << 30) * r.nextInt(4);
        h.scaler_scale = Math.scalb(1.0, r.nextInt(30) - 5) * (r.nextBoolean() ? 1 : 1 + r.nextDouble());
        h.scaler_growth_tracker = r.nextInt(2000);
        h.skipped_steps = r.nextInt(1 << 20);
        TrainConfig c = TrainConfig.preset("default");
        c.dataset = "set_" + Integer.toString(r.nextInt(1 << 30), 36);
        c.learning_rate = Math.pow(10, -5 + 3 * r.nextDouble());
        c.max_iters = 1 + r.nextInt(1_000_000);
        c.seed = r.nextLong() >> 12; // as a JSON number a long keeps its value below 2^53
        c.decay_lr = r.nextBoolean();
        c.dtype = r.nextBoolean() ? "float32" : "float16";
        h.config = c.toMap();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        String[] kinds = {"weight", "bias"};
        int params = 1 + r.nextInt(4);
        for (int i = 0; i < params; i++) {
            String p = "transformer.h." + r.nextInt(12) + ".mlp.c_" + (char) ('a' + i) + "." + kinds[r.nextInt(2)];
            long[] shape = new long[r.nextInt(4)]; // rank 0 (a scalar) to 3
            for (int k = 0; k < shape.length; k++) {
                shape[k] = 1 + r.nextInt(k == 0 ? 40 : 6);
            }
            for (String prefix : new String[] {"", "optimizer.exp_avg.", "optimizer.exp_avg_sq."}) {
                float[] v = new float[(int) new Shape(shape).size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = value(r);
                }
                shapes.put(prefix + p, shape);
                values.put(prefix + p, v);
            }
        }
        return new Saved(h, shapes, values);
    }

    /** Any finite float: all 32 bits drawn (text with 6 digits or a float16 loses most of them), or a special one. */
    static float value(Random r) {
        switch (r.nextInt(16)) {
            case 0: return -0.0f;
            case 1: return Float.MIN_VALUE;
            case 2: return 1f / 3;
            default:
                float f;
                do {
                    f = Float.intBitsToFloat(r.nextInt());
                } while (!Float.isFinite(f));
                return f;
        }
    }

    /** The tensors of s as NDArrays of m, in s's order. */
    static Map<String, NDArray> arrays(NDManager m, Saved s) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        s.values().forEach((k, v) -> t.put(k, m.create(v, new Shape(s.shapes().get(k)))));
        return t;
    }

    /** A header with the same values as h (save may write into the one it is given). */
    static Checkpoint.Header copy(Checkpoint.Header h) {
        Checkpoint.Header c = new Checkpoint.Header();
        c.model_args = h.model_args;
        c.iter_num = h.iter_num;
        c.best_val_loss = h.best_val_loss;
        c.optimizer_step = h.optimizer_step;
        c.scaler_scale = h.scaler_scale;
        c.scaler_growth_tracker = h.scaler_growth_tracker;
        c.skipped_steps = h.skipped_steps;
        c.config = h.config == null ? null : new LinkedHashMap<>(h.config);
        c.vocab = h.vocab;
        return c;
    }

    static void save(CheckpointStore store, Path file, Saved s) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            store.save(file, copy(s.header()), arrays(m, s));
        }
    }

    // ---- comparisons ----

    static void sameHeader(String what, Checkpoint.Header want, Checkpoint.Header got) {
        that(got != null, Msg.of("%s: load returned no header", what));
        that(java.util.Objects.equals(want.model_args, got.model_args), Msg.of("%s: model_args is %s, expected %s",
                what, got.model_args, want.model_args));
        that(want.iter_num == got.iter_num, Msg.of("%s: iter_num is %s, expected %s", what, got.iter_num,
                want.iter_num));
        that(Double.compare(want.best_val_loss, got.best_val_loss) == 0, Msg.of("%s: best_val_loss is %s, expected "
                + "%s", what, got.best_val_loss, want.best_val_loss));
        that(want.optimizer_step == got.optimizer_step, Msg.of("%s: optimizer_step is %s, expected %s", what,
                got.optimizer_step, want.optimizer_step));
        that(Double.compare(want.scaler_scale, got.scaler_scale) == 0, Msg.of("%s: scaler_scale is %s, expected %s",
                what, got.scaler_scale, want.scaler_scale));
        that(want.scaler_growth_tracker == got.scaler_growth_tracker, Msg.of("%s: scaler_growth_tracker is %s, "
                + "expected %s", what, got.scaler_growth_tracker, want.scaler_growth_tracker));
        that(want.skipped_steps == got.skipped_steps, Msg.of("%s: skipped_steps is %s, expected %s", what,
                got.skipped_steps, want.skipped_steps));
        that(want.vocab.equals(got.vocab), Msg.of("%s: vocab is %s, expected %s", what, quote(got.vocab),
                quote(want.vocab)));
        that(got.config != null && got.config.keySet().equals(want.config.keySet()), Msg.of("%s: config has keys "
                + "%s, expected %s", what, (got.config == null ? null : got.config.keySet()), want.config.keySet()));
        want.config.forEach((k, v) -> that(sameValue(v, got.config.get(k)), Msg.of("%s: config.%s is %s, expected "
                + "%s", what, k, got.config.get(k), v)));
    }

    /** A number may come back as another kind of number (JSON has one), but with the same value. */
    static boolean sameValue(Object want, Object got) {
        if (want instanceof Number w && got instanceof Number g) {
            return w.doubleValue() == g.doubleValue();
        }
        return want.equals(got);
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\n", "\\n") + "\"";
    }

    static void sameTensors(String what, Saved want, Checkpoint.Loaded got) {
        that(got != null, Msg.of("%s: load returned null", what));
        Map<String, float[]> values = got.tensors();
        that(values != null && values.keySet().equals(want.values().keySet()), Msg.of("%s has tensors %s, expected "
                + "%s", what, (values == null ? null : values.keySet()), want.values().keySet()));
        that(got.header() != null && got.header().tensors != null, Msg.of("%s: the loaded header has no tensors "
                + "list (the names and shapes resume checks against the model)", what));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Checkpoint.TensorInfo t : got.header().tensors) {
            that(t != null && shapes.put(t.name(), t.shape()) == null, Msg.of("%s: header.tensors lists %s", what,
                    (t == null ? "null" : Msg.of("%s twice", t.name()))));
        }
        that(shapes.keySet().equals(want.shapes().keySet()), Msg.of("%s: header.tensors names %s, expected %s", what,
                shapes.keySet(), want.shapes().keySet()));
        want.shapes().forEach((k, s) -> that(Arrays.equals(s, shapes.get(k)), Msg.of("%s: the shape of %s is %s, "
                + "expected %s", what, k, Arrays.toString(shapes.get(k)), Arrays.toString(s))));
        want.values().forEach((k, v) -> {
            float[] g = values.get(k);
            that(g != null && g.length == v.length, g == null ? Msg.of("%s: %s has no values, expected %d", what, k,
                    v.length) : Msg.of("%s: %s has %d values, expected %d", what, k, g.length, v.length));
            for (int i = 0; i < v.length; i++) {
                that(Float.floatToIntBits(v[i]) == Float.floatToIntBits(g[i]), Msg.of("%s: %s[%d] is %s, expected "
                        + "%s (bit for bit)", what, k, i, g[i], v[i]));
            }
        });
    }

    static void same(String what, Saved want, Checkpoint.Loaded got) {
        that(got != null, Msg.of("%s: load returned null", what));
        sameHeader(what, want.header(), got.header());
        sameTensors(what, want, got);
    }

    /**
     * What the part's own load gives for a save of s into a file of its own, which must differ from what
     * it gives for s's counterpart (so the file checks below grade the replace, not the round trip:
     * a part that loses a field loses its points above, once).
     */
    static Checkpoint.Loaded reference(Api a, Path dir, Saved s) throws Exception {
        Path ref = dir.resolve("reference-" + s.header().iter_num + ".bin");
        save(a.create(), ref, s);
        Checkpoint.Loaded l = a.create().load(ref);
        that(l != null && l.header() != null && l.header().tensors != null && l.tensors() != null,
                Msg.of("load of a checkpoint just saved gave no header, no header.tensors or no tensors"));
        that(l.header().iter_num == s.header().iter_num || l.tensors().keySet().equals(s.values().keySet()),
                Msg.of("load gives back neither the iter_num nor the tensor names that were saved"));
        Files.delete(ref);
        return l;
    }

    /** got holds the same header and tensors as want (both loaded by the part). */
    static void sameAsLoaded(String what, Checkpoint.Loaded want, Checkpoint.Loaded got) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        want.header().tensors.forEach(t -> shapes.put(t.name(), t.shape()));
        Checkpoint.Header h = copy(want.header());
        if (h.config == null) {
            h.config = Map.of();
        }
        if (h.vocab == null) {
            h.vocab = "";
        }
        Checkpoint.Header g = got == null ? null : got.header();
        if (g != null && g.config == null) {
            g.config = Map.of();
        }
        if (g != null && g.vocab == null) {
            g.vocab = "";
        }
        same(what, new Saved(h, shapes, want.tensors()), got);
    }

    // ---- files ----

    interface InDir {
        void run(Path dir) throws Exception;
    }

    static void inTempDir(InDir body) throws Exception {
        Path dir = Files.createTempDirectory("gptkit-grading");
        try {
            body.run(dir);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A checkpoint file name of this run's: ckpt.bin, or another (the trainer's name is not the only one). */
    static String drawnName() {
        return Grader.random().nextBoolean() ? Checkpoint.FILE_NAME
                : "ckpt-" + Integer.toString(Grader.random().nextInt(1 << 20), 36) + ".bin";
    }

    /** Tensors whose iteration breaks after the first entry, like a process killed while saving. */
    static final class Crashing extends AbstractMap<String, NDArray> {
        final Map<String, NDArray> real;

        Crashing(Map<String, NDArray> real) {
            this.real = real;
        }

        @Override
        public Set<Entry<String, NDArray>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, NDArray>> iterator() {
                    Iterator<Entry<String, NDArray>> it = real.entrySet().iterator();
                    return new Iterator<>() {
                        int n;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<String, NDArray> next() {
                            if (n++ == 1) {
                                throw new IllegalStateException("simulated crash in the middle of a save");
                            }
                            return it.next();
                        }
                    };
                }

                @Override
                public int size() {
                    return real.size();
                }
            };
        }
    }

    /** Saves s2 in a way that fails half-way, expects an exception out of save. */
    static void failingSave(CheckpointStore store, Path file, Saved s2, boolean crashInMap) throws Exception {
        boolean threw = false;
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = arrays(m, s2);
            if (!crashInMap) { // a tensor freed before the save reaches it: reading its values throws
                List<String> keys = new ArrayList<>(t.keySet());
                t.get(keys.get(1 + Grader.random().nextInt(keys.size() - 1))).close();
            }
            try {
                store.save(file, copy(s2.header()), crashInMap ? new Crashing(t) : t);
            } catch (NotImplementedYet e) {
                throw e;
            } catch (Exception e) {
                threw = true;
            }
        }
        that(threw, Msg.of("save() returned normally although %s: let the exception out of save",
                (crashInMap ? Msg.of("the tensors' iteration failed after the first entry") : Msg.of("a tensor was closed"))));
    }

    // ---- resume, with the real trainer ----

    /** The tiny run's state at its end: every weight and the log's numbers. */
    record End(int iterNum, Map<String, float[]> weights, Table log) {}

    static End train(TrainConfig c, Parts parts) throws IOException {
        try (Trainer t = new Trainer(c, parts)) {
            t.setOut(TinyCorpus.quiet());
            t.run();
            Map<String, float[]> w = new LinkedHashMap<>();
            t.model().params().forEach((k, v) -> w.put(k, v.toFloatArray()));
            return new End(t.iterNum(), w, t.log().table());
        }
    }

    static void resume(Api a) throws Exception {
        Random r = Grader.random();
        long seed = r.nextInt(1_000_000);
        int stop = 5 * (1 + r.nextInt(3)); // a checkpoint is written at every eval: 5, 10 or 15
        Path straightDir = Files.createTempDirectory("gptkit-grading-straight");
        Path dir = Files.createTempDirectory("gptkit-grading-resume");
        try {
            TrainConfig whole = TinyCorpus.config(straightDir);
            whole.seed = seed;
            End straight = train(whole, Parts.library());
            Parts student = Parts.library().with(Part.CHECKPOINT, a.create());
            TrainConfig first = TinyCorpus.config(dir);
            first.seed = seed;
            first.max_iters = stop;
            train(first, student);
            TrainConfig second = TinyCorpus.config(dir);
            second.seed = seed;
            second.init_from = "resume";
            End resumed;
            try (Trainer t = new Trainer(second, Parts.library().with(Part.CHECKPOINT, a.create()))) {
                t.setOut(TinyCorpus.quiet());
                that(t.iterNum() == stop, Msg.of("resumed at iteration %s, expected %s (the checkpoint's iter_num)",
                        t.iterNum(), stop));
                t.run();
                Map<String, float[]> w = new LinkedHashMap<>();
                t.model().params().forEach((k, v) -> w.put(k, v.toFloatArray()));
                resumed = new End(t.iterNum(), w, t.log().table());
            }
            that(resumed.iterNum() == straight.iterNum(), Msg.of("the resumed run ended at iteration %s, expected "
                    + "%s", resumed.iterNum(), straight.iterNum()));
            straight.weights().forEach((k, v) -> that(Arrays.equals(v, resumed.weights().get(k)), Msg.of("after "
                    + "resuming at %s, %s at iteration %s differs from a run never stopped", stop, k,
                    straight.iterNum())));
            for (String col : List.of("loss", "lr", "val_loss")) {
                for (int i = 0; i < straight.log().rowCount(); i++) {
                    Double w = straight.log().doubleColumn(col).get(i), g = resumed.log().doubleColumn(col).get(i);
                    // rows without a value hold null
                    that(java.util.Objects.equals(w, g), Msg.of(
                            "after resuming at %d, %s in row %d of the log is %s; the run never stopped has %s",
                            stop, col, i, g, w));
                }
            }
        } finally {
            for (Path d : List.of(straightDir, dir)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.CHECKPOINT, cls -> {
        Bind.Ctor<CheckpointStore> ctor = Bind.part(cls, CheckpointStore.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("every header field comes back exactly", 2,
                    "write every field of Header (model_args, iter_num, best_val_loss, optimizer_step, scaler_scale, "
                            + "scaler_growth_tracker, skipped_steps, config, vocab) and read them back from the file: "
                            + "doubles with all their digits (Gson, or writeDouble), not rounded.",
                    a -> inTempDir(dir -> {
                        for (Saved s : List.of(shakespeare(0), drawn())) {
                            Path file = dir.resolve(drawnName());
                            save(a.create(), file, s);
                            Files.copy(file, dir.resolve("copy.bin"));
                            Checkpoint.Loaded got = a.create().load(dir.resolve("copy.bin"));
                            that(got != null, Msg.of("load returned null"));
                            sameHeader(Msg.of("the header read back"), s.header(), got.header());
                            Files.delete(dir.resolve("copy.bin"));
                        }
                    })),
            Check.of("a best_val_loss of Infinity or NaN is saved and comes back as it was", 1,
                    "a run whose evaluation diverged has best_val_loss Infinity or NaN, and its checkpoint must "
                            + "still save: plain JSON has no word for them, so Gson needs "
                            + "new GsonBuilder().serializeSpecialFloatingPointValues() (or write the double in binary).",
                    a -> inTempDir(dir -> {
                        double[] specials = {Double.POSITIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY};
                        Random r = Grader.random();
                        for (double v : new double[] {specials[0], specials[1], specials[r.nextInt(3)]}) {
                            Saved s = r.nextBoolean() ? shakespeare(0) : drawn();
                            s.header().best_val_loss = v;
                            Path file = dir.resolve(drawnName());
                            save(a.create(), file, s);
                            Checkpoint.Loaded got = a.create().load(file);
                            that(got != null, Msg.of("load returned null"));
                            sameHeader(Msg.of("the header read back, best_val_loss %s", v), s.header(), got.header());
                        }
                    })),
            Check.of("every tensor comes back: name, shape, values bit for bit, model and optimizer state", 3,
                    "save every entry of the map, the model's and the optimizer's (optimizer.exp_avg.*, "
                            + "optimizer.exp_avg_sq.*): name, shape and float32 values in binary (writeFloat), not as "
                            + "text or float16; load fills Loaded.tensors and header.tensors (name and shape of each).",
                    a -> inTempDir(dir -> {
                        for (Saved s : List.of(shakespeare(0), drawn())) {
                            Path file = dir.resolve(drawnName());
                            save(a.create(), file, s);
                            Files.copy(file, dir.resolve("copy.bin"));
                            sameTensors(Msg.of("the checkpoint read back"), s, a.create().load(dir.resolve("copy.bin")));
                            Files.delete(dir.resolve("copy.bin"));
                        }
                    })),
            Check.of("a run resumed from the checkpoint continues exactly like one never stopped", 3,
                    "resume needs the weights, AdamW's exp_avg and exp_avg_sq (the optimizer.* tensors), "
                            + "optimizer_step, iter_num, best_val_loss, model_args and vocab: save every tensor and "
                            + "field you are given, and give back header.tensors with each name and shape.",
                    CheckpointExerciseTest::resume),
            Check.of("a save replaces the old checkpoint by renaming a finished temp file over it", 2,
                    "write a temp file beside it (file + \".tmp\"), then Files.move(tmp, file, REPLACE_EXISTING, "
                            + "ATOMIC_MOVE). Writing into the checkpoint itself leaves half a checkpoint if the "
                            + "process dies during the write.",
                    a -> inTempDir(dir -> {
                        Path file = dir.resolve(drawnName());
                        Saved old = drawn();
                        save(a.create(), file, old);
                        Files.createLink(dir.resolve("old.bin"), file); // a second name for the old file's data
                        Saved next = shakespeare(1);
                        save(a.create(), file, next);
                        Checkpoint.Loaded oldRef = reference(a, dir, old), nextRef = reference(a, dir, next);
                        sameAsLoaded(Msg.of("the new checkpoint"), nextRef, a.create().load(file));
                        sameAsLoaded(Msg.of("the old file's data (the checkpoint was written in place, not replaced)"), oldRef,
                                a.create().load(dir.resolve("old.bin")));
                    })),
            Check.of("a save that fails half-way throws and leaves the old checkpoint loadable", 2,
                    "nothing may touch the checkpoint until the new one is complete: write the temp file first, "
                            + "rename last; let the exception propagate.",
                    a -> inTempDir(dir -> {
                        Path file = dir.resolve(drawnName());
                        Saved old = drawn();
                        save(a.create(), file, old);
                        Checkpoint.Loaded oldRef = reference(a, dir, old);
                        reference(a, dir, shakespeare(1)); // the two must load differently
                        for (boolean crashInMap : new boolean[] {true, false}) {
                            failingSave(a.create(), file, shakespeare(1), crashInMap);
                            sameAsLoaded(Msg.of("the checkpoint after a failed save"), oldRef, a.create().load(file));
                        }
                    })),
            Check.of("no temp file is left behind, after a save or a failed one; missing folders are created", 1,
                    "Files.createDirectories(the file's parent) before writing; when the save fails, delete the "
                            + "temp file (try/finally with Files.deleteIfExists) and rethrow.",
                    a -> inTempDir(dir -> {
                        Path file = dir.resolve("out").resolve("run" + Grader.random().nextInt(100)).resolve(drawnName());
                        save(a.create(), file, drawn());
                        save(a.create(), file, shakespeare(0));
                        List<String> after = names(file.getParent());
                        that(after.equals(List.of(file.getFileName().toString())), Msg.of("after two saves the "
                                + "folder holds %s, expected only %s", after, file.getFileName()));
                        for (boolean crashInMap : new boolean[] {true, false}) {
                            failingSave(a.create(), file, drawn(), crashInMap);
                            after = names(file.getParent());
                            that(after.equals(List.of(file.getFileName().toString())), Msg.of("after a failed save "
                                    + "the folder holds %s, expected only %s", after, file.getFileName()));
                        }
                    })),
            Check.of("load of a missing or truncated file throws an IOException that names the file", 1,
                    "if the file is not there, or ends before the checkpoint does (an EOFException has no message), "
                            + "throw new IOException(file + \" ...\", cause): the user must learn which file to fix.",
                    a -> inTempDir(dir -> {
                        Path missing = dir.resolve(drawnName());
                        loadFails(a, missing, Msg.of("a missing file"));
                        Path file = dir.resolve(drawnName());
                        save(a.create(), file, drawn());
                        byte[] all = Files.readAllBytes(file);
                        Random r = Grader.random();
                        for (int cut : new int[] {0, r.nextInt(Math.max(1, all.length / 2)), all.length / 2
                                + r.nextInt(all.length - all.length / 2), all.length - 1}) {
                            Path cutFile = dir.resolve("cut-" + cut + "-" + file.getFileName());
                            Files.write(cutFile, Arrays.copyOf(all, cut));
                            loadFails(a, cutFile, Msg.of("the file cut after %s of its %s bytes", cut, all.length));
                        }
                    }))),
            new Exercise.Mistake("CheckpointPlainJson", "a best_val_loss of Infinity",
                    "new Gson() without serializeSpecialFloatingPointValues: a diverged run's checkpoint does not save"),
            new Exercise.Mistake("CheckpointInPlace", "a save replaces",
                    "the checkpoint written in place, not through a temp file renamed over it"),
            new Exercise.Mistake("CheckpointForgetsOptimizer", "a run resumed",
                    "the optimizer's tensors (exp_avg, exp_avg_sq) not saved: resume cannot restore AdamW"),
            new Exercise.Mistake("CheckpointLosesBestValLoss", "every header field",
                    "best_val_loss not saved: the resumed run forgets its best loss"),
            new Exercise.Mistake("CheckpointIterOffByOne", "every header field",
                    "iter_num + 1 saved (the next iteration): the resumed run skips one"),
            new Exercise.Mistake("CheckpointLeavesTemp", "no temp file",
                    "a save that fails leaves its temp file behind"),
            new Exercise.Mistake("CheckpointFloat16", "every tensor comes back",
                    "values stored as float16: the weights come back rounded"),
            new Exercise.Mistake("CheckpointEofWithoutName", "load of a missing or truncated",
                    "a cut file gives a bare EOFException that does not say which file"));

    /** Expects load to throw an IOException whose message names the file. */
    static void loadFails(Api a, Path file, String what) {
        Checkpoint.Loaded got;
        try {
            got = a.create().load(file);
        } catch (IOException e) {
            String name = file.getFileName().toString();
            that(e.getMessage() != null && e.getMessage().contains(name), Msg.of("load of %s threw %s, whose "
                    + "message does not name the file %s", what, e, name));
            return;
        } catch (NotImplementedYet e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AssertionError(Msg.of("load of %s threw %s, not an IOException that names the file", what, e));
        }
        throw new AssertionError(Msg.of("load of %s returned %s; it must throw an IOException that names the file",
                what, (got == null ? "null" : Msg.of("a checkpoint"))));
    }

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

package gptkit.grading;

import gptkit.exercises.Part;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static gptkit.grading.Expect.that;

/**
 * Grades exercises/Checkpoint.java (checkpoint, notebook 09): exact round trips, a resumed run
 * against an uninterrupted one (a small AdamW loop, bit for bit), and the atomic replace (a hard
 * link to the old file must still read the old checkpoint after a save).
 */
@ExtendWith(ReportCard.class)
public class CheckpointExerciseTest {
    public interface Api {
        void save(Path file, RunState state) throws IOException;

        RunState load(Path file) throws IOException;
    }

    /** A run at iteration 250, with values that text formats lose (-0.0, 1e-45, 1/3). */
    static RunState state(float bump) {
        RunState s = new RunState();
        s.model.put("transformer.wte.weight", new float[] {0.1f + bump, -0.0f, 1e-45f, 1f / 3, -2.5e7f, 42f});
        s.model.put("transformer.ln_f.weight", new float[] {1f, 0.5f + bump});
        s.model.put("transformer.ln_f.bias", new float[0]);
        s.model.forEach((k, v) -> {
            float[] m = new float[v.length];
            float[] q = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                m[i] = v[i] * 0.01f;
                q[i] = v[i] * v[i] * 1e-4f;
            }
            s.expAvg.put(k, m);
            s.expAvgSq.put(k, q);
        });
        s.optimizerStep = 250;
        s.iterNum = 250;
        s.bestValLoss = 1.4697265625123 + bump;
        s.config.put("n_layer", "6");
        s.config.put("dataset", "shakespeare_char");
        s.config.put("learning_rate", String.valueOf(1e-3 + bump));
        return s;
    }

    static void same(String what, RunState want, RunState got) {
        that(got != null, what + ": load returned null");
        tensors(what + ", model", want.model, got.model);
        tensors(what + ", exp_avg", want.expAvg, got.expAvg);
        tensors(what + ", exp_avg_sq", want.expAvgSq, got.expAvgSq);
        that(want.optimizerStep == got.optimizerStep, what + ": the optimizer step is " + got.optimizerStep
                + ", expected " + want.optimizerStep);
        that(want.iterNum == got.iterNum, what + ": iter_num is " + got.iterNum + ", expected " + want.iterNum);
        that(Double.compare(want.bestValLoss, got.bestValLoss) == 0, what + ": best_val_loss is " + got.bestValLoss
                + ", expected " + want.bestValLoss);
        that(want.config.equals(got.config), what + ": config is " + got.config + ", expected " + want.config);
    }

    static void tensors(String what, Map<String, float[]> want, Map<String, float[]> got) {
        that(got != null && got.keySet().equals(want.keySet()), what + " has tensors "
                + (got == null ? null : got.keySet()) + ", expected " + want.keySet());
        want.forEach((k, v) -> that(Arrays.equals(v, got.get(k)), what + " " + k + " is "
                + Arrays.toString(got.get(k)) + ", expected " + Arrays.toString(v) + " (bit for bit)"));
    }

    /** A small training loop: AdamW on made-up gradients, lr from iter_num, best loss tracked. */
    static void train(RunState s, int until) {
        while (s.iterNum < until) {
            double lr = 1e-2 * (s.iterNum + 1) / 10;
            s.optimizerStep++;
            double val = 0;
            for (Map.Entry<String, float[]> e : s.model.entrySet()) {
                float[] p = e.getValue();
                float[] m = s.expAvg.computeIfAbsent(e.getKey(), k -> new float[p.length]);
                float[] v = s.expAvgSq.computeIfAbsent(e.getKey(), k -> new float[p.length]);
                for (int i = 0; i < p.length; i++) {
                    float g = (float) Math.sin(3 * p[i] + s.iterNum);
                    m[i] = 0.9f * m[i] + 0.1f * g;
                    v[i] = 0.99f * v[i] + 0.01f * g * g;
                    double mh = m[i] / (1 - Math.pow(0.9, s.optimizerStep));
                    double vh = v[i] / (1 - Math.pow(0.99, s.optimizerStep));
                    p[i] -= (float) (lr * mh / (Math.sqrt(vh) + 1e-8));
                    val += p[i] * p[i] * 1e-3;
                }
            }
            s.bestValLoss = Math.min(s.bestValLoss, val);
            s.iterNum++;
        }
    }

    static RunState fresh() {
        RunState s = new RunState();
        s.model.put("w", new float[] {0.5f, -1.5f, 2f});
        s.model.put("b", new float[] {0.1f});
        s.config.put("max_iters", "10");
        return s;
    }

    /** A map that breaks after its first entry, like a process killed while saving. */
    static final class Crashing extends AbstractMap<String, float[]> {
        final Map<String, float[]> real;

        Crashing(Map<String, float[]> real) {
            this.real = real;
        }

        @Override
        public Set<Entry<String, float[]>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, float[]>> iterator() {
                    Iterator<Entry<String, float[]>> it = real.entrySet().iterator();
                    return new Iterator<>() {
                        int n;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<String, float[]> next() {
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

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.CHECKPOINT, Api.class, List.of(
            Check.of("everything comes back exactly: model, AdamW moments and step, iter_num, best_val_loss, config", 3,
                    "write every field of RunState and read them back in the same order; floats as binary "
                            + "(writeFloat), not text, so -0.0 and 1e-45 survive; load from the file, not from memory.",
                    a -> inTempDir(dir -> {
                        RunState s = state(0);
                        a.save(dir.resolve("ckpt.bin"), s);
                        s.model.values().forEach(v -> Arrays.fill(v, 7f)); // the live run moves on
                        s.iterNum = 999;
                        Files.copy(dir.resolve("ckpt.bin"), dir.resolve("copy.bin"));
                        same("the checkpoint read back", state(0), a.load(dir.resolve("copy.bin")));
                    })),
            Check.of("a resumed run continues exactly like an uninterrupted one", 3,
                    "save AdamW's exp_avg, exp_avg_sq and step count with the weights: without them the moments "
                            + "restart at 0 and bias correction acts as if at step 1; without iter_num the schedule restarts.",
                    a -> inTempDir(dir -> {
                        RunState straight = fresh();
                        train(straight, 10);
                        RunState first = fresh();
                        train(first, 5);
                        a.save(dir.resolve("ckpt.bin"), first);
                        RunState resumed = a.load(dir.resolve("ckpt.bin"));
                        train(resumed, 10);
                        same("the resumed run at iteration 10", straight, resumed);
                    })),
            Check.of("a save replaces the old checkpoint by renaming a finished temp file over it", 2,
                    "write file + \".tmp\", then Files.move(tmp, file, REPLACE_EXISTING, ATOMIC_MOVE). Writing into "
                            + "ckpt.bin itself leaves half a checkpoint if the process dies during the write.",
                    a -> inTempDir(dir -> {
                        Path file = dir.resolve("ckpt.bin");
                        a.save(file, state(0));
                        Files.createLink(dir.resolve("old.bin"), file); // a second name for the old file's data
                        a.save(file, state(1));
                        same("the new checkpoint", state(1), a.load(file));
                        same("the old file's data (ckpt.bin was written in place, not replaced)", state(0),
                                a.load(dir.resolve("old.bin")));
                    })),
            Check.of("a save that fails half-way leaves the old checkpoint loadable", 1,
                    "nothing may touch ckpt.bin until the new checkpoint is complete: write the temp file first, "
                            + "rename last; let the exception propagate.",
                    a -> inTempDir(dir -> {
                        Path file = dir.resolve("ckpt.bin");
                        a.save(file, state(0));
                        RunState broken = state(1);
                        broken.model = new Crashing(broken.model);
                        boolean threw = false;
                        try {
                            a.save(file, broken);
                        } catch (IllegalStateException | IOException e) {
                            threw = true;
                        }
                        that(threw, "save() returned normally although the state could not be written");
                        same("ckpt.bin after a failed save", state(0), a.load(file));
                    })),
            Check.of("no temp file is left behind, and missing folders are created", 1,
                    "the rename consumes the temp file; Files.createDirectories(file's parent) before writing.",
                    a -> inTempDir(dir -> {
                        Path file = dir.resolve("out").resolve("run1").resolve("ckpt.bin");
                        a.save(file, state(0));
                        a.save(file, state(1));
                        try (Stream<Path> files = Files.list(file.getParent())) {
                            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                            that(names.equals(List.of("ckpt.bin")), "after two saves the folder holds " + names);
                        }
                    }))));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

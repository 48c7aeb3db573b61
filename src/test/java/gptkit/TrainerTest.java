package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import gptkit.checkpoint.Checkpoint;
import gptkit.config.TrainConfig;
import gptkit.data.BatchSource;
import gptkit.data.GetBatch;
import gptkit.engine.Engines;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    static TrainConfig tiny(Path out) {
        return TinyCorpus.config(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float16"}) // float16: the masters and the scaler's state come back too
    void resumedRunEqualsUninterruptedRun(String dtype, @TempDir Path a, @TempDir Path b) throws IOException {
        float[] straight;
        Table straightLog;
        TrainConfig whole = tiny(a);
        whole.dtype = dtype;
        try (Trainer t = new Trainer(whole)) {
            t.setOut(quiet());
            t.run();
            straight = t.model().params().get("transformer.h.0.mlp.c_fc.weight").toFloatArray();
            straightLog = t.log().table();
        }
        TrainConfig first = tiny(b);
        first.dtype = dtype;
        first.max_iters = 10;
        try (Trainer t = new Trainer(first)) {
            t.setOut(quiet());
            t.run();
        }
        TrainConfig second = tiny(b);
        second.dtype = dtype;
        second.init_from = "resume";
        try (Trainer t = new Trainer(second)) {
            t.setOut(quiet());
            assertEquals(10, t.iterNum(), "resumes at the iteration of the last checkpoint");
            t.run();
            assertArrayEquals(straight, t.model().params().get("transformer.h.0.mlp.c_fc.weight").toFloatArray(),
                    "the same weights as a run that was never stopped");
            Table resumed = t.log().table();
            assertEquals(straightLog.rowCount(), resumed.rowCount());
            for (String col : List.of("loss", "train_loss", "val_loss", "lr", "grad_norm")) {
                for (int r = 0; r < resumed.rowCount(); r++) {
                    assertEquals(straightLog.doubleColumn(col).get(r), resumed.doubleColumn(col).get(r),
                            col + " at row " + r);
                }
            }
        }
        assertTrue(Files.exists(b.resolve("log.csv")));
        assertFalse(Files.exists(b.resolve(Checkpoint.FILE_NAME + ".tmp")), "no temp file left behind");
    }

    @Test
    void accumulatedMicroBatchesGiveTheGradientOfTheWholeBatch() {
        Engines.engine();
        GPTConfig cfg = new GPTConfig(16, 20, 2, 2, 16, 0.0, true);
        SplittableRandom r = new SplittableRandom(4);
        long[] x = new long[8 * 16];
        long[] y = new long[8 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(20);
            y[i] = r.nextInt(20);
        }
        try (GPT model = new GPT(cfg, ai.djl.Device.cpu(), 1)) {
            NDArray xs = model.manager().create(x, new Shape(8, 16));
            NDArray ys = model.manager().create(y, new Shape(8, 16));
            Map<String, float[]> whole = gradients(model, List.of(new NDList(xs, ys)));
            List<NDList> micro = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                micro.add(new NDList(xs.get(k * 2 + ":" + (k * 2 + 2)), ys.get(k * 2 + ":" + (k * 2 + 2))));
            }
            Map<String, float[]> accumulated = gradients(model, micro);
            for (String name : whole.keySet()) {
                double d = Fixtures.maxAbsDiff(whole.get(name), accumulated.get(name));
                assertTrue(d <= 1e-6, name + ": accumulated gradient differs by " + d);
            }
        }
    }

    /** train.py's inner loop: each micro-batch's loss divided by their number, backward each. */
    static Map<String, float[]> gradients(GPT model, List<NDList> microBatches) {
        NDArray k = model.manager().create((float) microBatches.size());
        try (GradientCollector gc = Engines.engine().newGradientCollector()) {
            for (NDList xy : microBatches) {
                gc.backward(model.loss(xy.get(0), xy.get(1)).div(k));
            }
        }
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        model.params().forEach((n, p) -> {
            out.put(n, p.getGradient().toFloatArray());
            JniUtils.zeroGrad((PtNDArray) p);
        });
        return out;
    }

    @Test
    void nanLossStopsWithAClearMessageAndKeepsTheCheckpoint(@TempDir Path out) throws IOException {
        trainFiveIterations(out);
        byte[] before = Files.readAllBytes(out.resolve(Checkpoint.FILE_NAME));
        TrainConfig again = tiny(out);
        again.init_from = "resume";
        again.max_iters = 10;
        try (Trainer t = new Trainer(again)) {
            t.setOut(quiet());
            NDArray w = t.model().params().get("transformer.ln_f.weight");
            float[] nan = new float[(int) w.size()];
            java.util.Arrays.fill(nan, Float.NaN);
            w.set(nan);
            IllegalStateException e = assertThrows(IllegalStateException.class, t::run);
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("diverged") && e.getMessage().contains("learning_rate"), e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(out.resolve(Checkpoint.FILE_NAME)), "checkpoint untouched");
    }

    @Test
    void runningOutOfMemoryGetsAClearMessageAndKeepsTheCheckpoint(@TempDir Path out) throws IOException {
        trainFiveIterations(out);
        TrainConfig again = tiny(out);
        again.init_from = "resume";
        int[] calls = {0};
        Parts parts = Parts.library().with(Part.GET_BATCH, (BatchSource) (data, block, batch, rng, m) -> {
            if (++calls[0] == 3) {
                m.zeros(new Shape(1L << 50)); // a real libtorch allocation failure mid-run: 4 PiB
            }
            return GetBatch.getBatch(data, block, batch, rng, m);
        });
        try (Trainer t = new Trainer(again, parts)) {
            t.setOut(quiet());
            IllegalStateException e = assertThrows(IllegalStateException.class, t::run);
            assertTrue(e.getMessage().startsWith("the CPU ran out of memory at iteration"), e.getMessage());
            assertTrue(e.getMessage().contains("--batch_size (now 4)") && e.getMessage().contains("untouched"),
                    e.getMessage());
        }
        assertEquals(5, Checkpoint.load(out.resolve(Checkpoint.FILE_NAME)).header().iter_num,
                "the last good checkpoint (iteration 5) is there and loads");
        assertFalse(Files.exists(out.resolve(Checkpoint.FILE_NAME + ".tmp")));
    }

    @Test
    void damagedCheckpointGetsAClearError(@TempDir Path out) throws IOException {
        trainFiveIterations(out);
        Path ck = out.resolve(Checkpoint.FILE_NAME);
        Checkpoint.Loaded ok = Checkpoint.load(ck);
        assertEquals(5, ok.header().iter_num);
        assertEquals(1, ok.header().model_args.n_layer());
        byte[] bytes = Files.readAllBytes(ck);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(ck, bytes);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(ck));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        Files.write(ck, java.util.Arrays.copyOf(bytes, 100));
        assertThrows(IOException.class, () -> Checkpoint.load(ck));
        Files.writeString(ck, "not a checkpoint at all");
        e = assertThrows(IOException.class, () -> Checkpoint.load(ck));
        assertTrue(e.getMessage().contains("not a gptkit checkpoint") || e.getMessage().contains("does not start"),
                e.getMessage());
    }

    @Test
    void checkpointOfAnotherModelIsRefused(@TempDir Path out) throws IOException {
        trainFiveIterations(out);
        Checkpoint.Loaded ck = Checkpoint.load(out.resolve(Checkpoint.FILE_NAME));
        try (GPT other = new GPT(new GPTConfig(16, ck.header().model_args.vocab_size(), 1, 2, 32, 0, false),
                ai.djl.Device.cpu(), 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.copyInto(ck, other.params(), ""));
            assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        }
    }

    @Test
    void resumeWithoutCheckpointSaysWhatToDo(@TempDir Path out) {
        TrainConfig c = tiny(out);
        c.init_from = "resume";
        IOException e = assertThrows(IOException.class, () -> new Trainer(c));
        assertTrue(e.getMessage().contains("No checkpoint"), e.getMessage());
    }

    /** A finished run with a checkpoint at iteration 5 in out. */
    static void trainFiveIterations(Path out) throws IOException {
        TrainConfig c = tiny(out);
        c.max_iters = 5;
        try (Trainer t = new Trainer(c)) {
            t.setOut(quiet());
            t.run();
        }
    }

    static java.io.PrintStream quiet() {
        return TinyCorpus.quiet();
    }

    @Test
    void resumeKeepsTheCallersConfigAndRefusesAContradictingArchitecture(@TempDir Path out) throws IOException {
        trainFiveIterations(out);
        TrainConfig again = tiny(out);
        again.init_from = "resume";
        again.max_iters = 6;
        java.util.Map<String, Object> before = again.toMap();
        try (Trainer t = new Trainer(again)) {
            t.setOut(quiet());
            t.run();
            assertEquals(6, t.config().max_iters);
        }
        assertEquals(before, again.toMap(), "the trainer never changes the caller's config");
        TrainConfig wider = tiny(out);
        wider.init_from = "resume";
        wider.n_embd = 2 * wider.n_embd;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(wider));
        assertTrue(e.getMessage().startsWith("--n_embd=" + wider.n_embd + " contradicts the checkpoint in "),
                e.getMessage());
    }
}

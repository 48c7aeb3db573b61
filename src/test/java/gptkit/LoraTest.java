package gptkit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import gptkit.autograd.Autograd;
import gptkit.autograd.NoGrad;
import gptkit.autograd.Tensors;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.LoraCheckpoint;
import gptkit.config.TrainConfig;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.model.Lora;
import gptkit.model.LoraAdapters;
import gptkit.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static gptkit.TinyCorpus.quiet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LoRA: the library's forward against torch, the zero start, the frozen base, merge, the trainer's LoRA runs. */
class LoraTest {
    static final GPTConfig ARGS = new GPTConfig(8, 13, 2, 2, 16, 0.0, true);

    static float[] floats(JsonObject o, String key) {
        return Fixtures.floats(o.getAsJsonArray(key));
    }

    @Test
    void libraryLoraLinearIsTorchs() {
        JsonObject all = Fixtures.load("ex_lora.json");
        for (String name : List.of("adapted", "nobias", "zero_start")) {
            JsonObject c = all.getAsJsonObject(name);
            long[] xs = Fixtures.longs(c.getAsJsonArray("x_shape"));
            long[] ws = Fixtures.longs(c.getAsJsonArray("W_shape"));
            int r = c.get("r").getAsInt();
            try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch"); Autograd rec = Autograd.record()) {
                NDArray x = m.create(floats(c, "x"), new Shape(xs));
                NDArray w = m.create(floats(c, "W"), new Shape(ws));
                NDArray b = c.get("b").isJsonNull() ? null : m.create(floats(c, "b"), new Shape(ws[0]));
                NDArray a = m.create(floats(c, "A"), new Shape(r, ws[1]));
                NDArray bb = m.create(floats(c, "B"), new Shape(ws[0], r));
                a.setRequiresGradient(true);
                bb.setRequiresGradient(true);
                NDArray y = new Lora().forward(x, w, b, a, bb, m.create(c.get("alpha").getAsFloat()));
                assertTrue(Fixtures.maxAbsDiff(floats(c, "y"), y.toFloatArray()) < 1e-5, name + ": y");
                Autograd.backward(y.mul(m.create(floats(c, "upstream"), y.getShape())).sum());
                assertTrue(Fixtures.maxAbsDiff(floats(c, "grad_A"), a.getGradient().toFloatArray()) < 1e-5, name);
                assertTrue(Fixtures.maxAbsDiff(floats(c, "grad_B"), bb.getGradient().toFloatArray()) < 1e-5, name);
                assertFalse(w.hasGradient(), "W records no gradient");
            }
        }
    }

    static NDArray tokens(NDManager m) {
        return m.create(new long[] {1, 5, 7, 2, 12, 0, 3, 3, 9, 4, 11, 6, 8, 10, 2, 1}, new Shape(2, 8));
    }

    static Map<String, NDArray> adapted(GPT model, LoraAdapters lora) {
        Map<String, NDArray> w = new LinkedHashMap<>(model.params());
        w.putAll(lora.params());
        return w;
    }

    @Test
    void theFirstForwardIsTheBasesBitForBitAndAChangedBIsNot() {
        try (GPT model = new GPT(ARGS, Device.cpu(), 3);
             LoraAdapters lora = new LoraAdapters(ARGS, Device.cpu(), 4, 16.0, LoraAdapters.DEFAULT_TARGETS, 3);
             NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
             NDScope s = new NDScope()) {
            s.suppressNotUsedWarning();
            model.useLora(new Lora(), 16.0);
            assertEquals(2 * 4 * 2, lora.params().size(), "A and B on 4 projections of 2 blocks");
            float[] base = model.forward(tokens(m)).toFloatArray();
            float[] start = model.forward(adapted(model, lora), tokens(m)).toFloatArray();
            assertArrayEquals(base, start, 0f, "B = 0: the adapted model is the base, bit for bit");
            assertTrue(Arrays.equals(base, start));
            // the same check fails once B is not zero: the adapters are really in the forward pass
            try (NoGrad ng = NoGrad.open()) {
                Tensors.copyInto(lora.params().get("transformer.h.1.mlp.c_fc" + LoraAdapters.B), filled(64 * 4, 0.01f));
            }
            float[] moved = model.forward(adapted(model, lora), tokens(m)).toFloatArray();
            assertFalse(Arrays.equals(base, moved), "a nonzero B changes the logits");
        }
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = v * ((i % 7) - 3);
        }
        return a;
    }

    @Test
    void theFrozenBaseRecordsNoGradientOnlyTheAdaptersDo() {
        try (GPT model = new GPT(ARGS, Device.cpu(), 3);
             LoraAdapters lora = new LoraAdapters(ARGS, Device.cpu(), 4, 8.0, List.of("attn.c_attn", "mlp.c_proj"), 5);
             NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            model.requireGradients(false);
            model.useLora(new Lora(), 8.0);
            try (Autograd rec = Autograd.record()) {
                NDArray x = tokens(m);
                Autograd.backward(gptkit.model.CrossEntropy.crossEntropy(model.forward(adapted(model, lora), x), x));
            }
            for (Map.Entry<String, NDArray> e : model.params().entrySet()) {
                assertFalse(e.getValue().hasGradient(), e.getKey() + " is frozen");
            }
            assertEquals(8, lora.params().size(), "2 targets x 2 blocks x (A, B)");
            for (Map.Entry<String, NDArray> e : lora.params().entrySet()) {
                float[] g = e.getValue().getGradient().toFloatArray();
                double norm = 0;
                for (float v : g) {
                    norm += v * v;
                }
                // B = 0 at the start: A's gradient (alpha/r) (g B)^T x is zero, B's is not
                if (e.getKey().endsWith(LoraAdapters.A)) {
                    assertEquals(0.0, norm, e.getKey());
                } else {
                    assertTrue(norm > 0, e.getKey() + " gets a gradient");
                }
            }
        }
    }

    @Test
    void mergedWeightsGiveTheAdaptedForward() {
        try (GPT model = new GPT(ARGS, Device.cpu(), 3);
             LoraAdapters lora = new LoraAdapters(ARGS, Device.cpu(), 4, 16.0, LoraAdapters.DEFAULT_TARGETS, 3);
             NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
             NDScope s = new NDScope()) {
            s.suppressNotUsedWarning();
            model.useLora(new Lora(), 16.0);
            try (NoGrad ng = NoGrad.open()) {
                for (Map.Entry<String, NDArray> e : lora.params().entrySet()) {
                    if (e.getKey().endsWith(LoraAdapters.B)) {
                        Tensors.copyInto(e.getValue(), filled((int) e.getValue().size(), 0.02f));
                    }
                }
            }
            float[] unmerged = model.forward(adapted(model, lora), tokens(m)).toFloatArray();
            Map<String, NDArray> merged = lora.merge(model.params());
            assertEquals(model.params().keySet(), merged.keySet(), "a full set of base weights");
            float[] viaMerge = model.forward(merged, tokens(m)).toFloatArray();
            assertTrue(Fixtures.maxAbsDiff(unmerged, viaMerge) < 1e-5, "max diff " + Fixtures.maxAbsDiff(unmerged, viaMerge));
            assertTrue(Fixtures.maxAbsDiff(model.forward(tokens(m)).toFloatArray(), viaMerge) > 1e-3,
                    "and it is not the base's");
        }
    }

    /** A base trained briefly, then LoRA runs on it. */
    @Test
    void trainerLoraRunTrainsOnlyAdaptersSavesThemResumesAndMerges(@TempDir Path base, @TempDir Path ft,
                                                                      @TempDir Path merged, @TempDir Path other)
            throws IOException {
        TrainConfig b = TinyCorpus.config(base);
        b.max_iters = 5;
        try (Trainer t = new Trainer(b)) {
            t.setOut(quiet());
            t.run();
        }
        Checkpoint.Loaded baseCkpt = Checkpoint.load(base.resolve(Checkpoint.FILE_NAME));
        TrainConfig c = TinyCorpus.config(ft);
        c.init_from = base.toString();
        c.lora_rank = 4;
        c.lora_alpha = 8;
        c.max_iters = 10;
        try (Trainer t = new Trainer(c)) {
            t.setOut(quiet());
            assertEquals(t.lora().params(), t.trainable(), "the optimizer's parameters are the adapters");
            assertEquals(t.lora().params().keySet(), t.optimizer().state().keySet().stream()
                    .map(k -> k.substring(k.indexOf('.') + 1)).collect(java.util.stream.Collectors.toSet()));
            t.run();
            for (Map.Entry<String, NDArray> e : t.model().params().entrySet()) {
                assertArrayEquals(baseCkpt.tensor(e.getKey()), e.getValue().toFloatArray(), 0f,
                        e.getKey() + " stays the base's");
                assertFalse(e.getValue().hasGradient(), e.getKey() + " is frozen");
            }
            float[] bw = t.lora().params().get("transformer.h.0.attn.c_attn" + LoraAdapters.B).toFloatArray();
            assertTrue(Fixtures.maxAbsDiff(new float[bw.length], bw) > 0, "B has learned");
        }
        Path loraFile = ft.resolve(LoraCheckpoint.FILE_NAME);
        assertFalse(Files.exists(ft.resolve(Checkpoint.FILE_NAME)), "a LoRA run writes no full checkpoint");
        Checkpoint.Loaded saved = LoraCheckpoint.load(loraFile);
        assertEquals(4, saved.header().lora.rank);
        assertTrue(saved.tensors().keySet().stream().allMatch(k -> k.contains(".lora_")), "adapters only");
        assertTrue(Files.size(loraFile) < Files.size(base.resolve(Checkpoint.FILE_NAME)));

        // resume: 5 more iterations from iteration 10's checkpoint equal an uninterrupted run to 15
        TrainConfig r = TinyCorpus.config(ft);
        r.init_from = "resume";
        r.lora_rank = 4;
        r.lora_alpha = 8;
        r.max_iters = 15;
        float[] resumed;
        try (Trainer t = new Trainer(r)) {
            t.setOut(quiet());
            assertEquals(10, t.iterNum());
            t.run();
            resumed = t.lora().params().get("transformer.h.0.attn.c_attn" + LoraAdapters.B).toFloatArray();
        }
        TrainConfig u = TinyCorpus.config(other);
        u.init_from = base.toString();
        u.lora_rank = 4;
        u.lora_alpha = 8;
        u.max_iters = 15;
        try (Trainer t = new Trainer(u)) {
            t.setOut(quiet());
            t.run();
            assertArrayEquals(t.lora().params().get("transformer.h.0.attn.c_attn" + LoraAdapters.B).toFloatArray(), resumed,
                    "resumed LoRA run = uninterrupted one");
        }

        // merge: a full checkpoint whose forward is the adapted model's
        Path out = LoraCheckpoint.merge(base, ft, merged);
        Checkpoint.Loaded m = Checkpoint.load(out);
        assertNotEquals(Arrays.toString(baseCkpt.tensor("transformer.h.0.attn.c_attn.weight")),
                Arrays.toString(m.tensor("transformer.h.0.attn.c_attn.weight")));
        assertArrayEquals(baseCkpt.tensor("transformer.wte.weight"), m.tensor("transformer.wte.weight"), 0f);

        // adapters on another base are refused, naming both
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoraCheckpoint.merge(merged, ft, other.resolve("x")));
        assertTrue(e.getMessage().contains(base.toString()) && e.getMessage().contains(merged.toString())
                && e.getMessage().contains(saved.header().lora.base_sha256), e.getMessage());
    }

    /** float16: the frozen base's float16 copies are made once, the adapters' afresh after each step. */
    @Test
    void aFloat16LoraRunTrainsTheAdaptersOnly(@TempDir Path base, @TempDir Path ft) throws IOException {
        TrainConfig b = TinyCorpus.config(base);
        b.max_iters = 5;
        try (Trainer t = new Trainer(b)) {
            t.setOut(quiet());
            t.run();
        }
        Checkpoint.Loaded baseCkpt = Checkpoint.load(base.resolve(Checkpoint.FILE_NAME));
        TrainConfig c = TinyCorpus.config(ft);
        c.init_from = base.toString();
        c.lora_rank = 2;
        c.dtype = "float16";
        c.max_iters = 8;
        try (Trainer t = new Trainer(c)) {
            t.setOut(quiet());
            Trainer.Result r = t.run();
            assertTrue(Double.isFinite(r.lastLoss()));
            for (Map.Entry<String, NDArray> e : t.model().params().entrySet()) {
                assertArrayEquals(baseCkpt.tensor(e.getKey()), e.getValue().toFloatArray(), 0f, e.getKey());
            }
            float[] bw = t.lora().params().get("transformer.h.0.mlp.c_proj" + LoraAdapters.B).toFloatArray();
            assertTrue(Fixtures.maxAbsDiff(new float[bw.length], bw) > 0, "B has learned in float16");
        }
    }
}

package gptkit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.model.CrossEntropy;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static gptkit.Fixtures.floats;
import static gptkit.Fixtures.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GPTTest {

    /** A GPT with the fixture's weights. */
    static GPT fromFixture(JsonObject f) {
        JsonObject c = f.getAsJsonObject("config");
        GPTConfig cfg = new GPTConfig(c.get("block_size").getAsInt(), c.get("vocab_size").getAsInt(),
                c.get("n_layer").getAsInt(), c.get("n_head").getAsInt(), c.get("n_embd").getAsInt(), 0.0,
                c.get("bias").getAsBoolean());
        GPT model = new GPT(cfg, Device.cpu(), 0);
        JsonObject params = f.getAsJsonObject("params");
        assertEquals(params.keySet(), model.params().keySet(), "same parameter names as PyTorch's state_dict");
        for (Map.Entry<String, NDArray> e : model.params().entrySet()) {
            JsonObject p = params.getAsJsonObject(e.getKey());
            assertEquals(new Shape(Fixtures.longs(p.getAsJsonArray("shape"))), e.getValue().getShape(), e.getKey());
            e.getValue().set(floats(p.getAsJsonArray("data")));
        }
        return model;
    }

    // both attention paths: the fused kernel the trainer runs, and the written-out one the notebooks show
    @ParameterizedTest(name = "{0}, fast attention {1}")
    @CsvSource({"gpt_bias.json, true", "gpt_bias.json, false", "gpt_nobias.json, true", "gpt_nobias.json, false"})
    void forwardLossAndGradientsEqualPyTorch(String fixture, boolean fastAttention) {
        Engines.engine();
        JsonObject f = Fixtures.load(fixture);
        try (GPT model = fromFixture(f)) {
            model.fastAttention(fastAttention);
            int b = f.get("batch").getAsInt(), t = f.get("time").getAsInt();
            NDArray idx = model.manager().create(Fixtures.longs(f.getAsJsonArray("idx")), new Shape(b, t));
            NDArray tgt = model.manager().create(Fixtures.longs(f.getAsJsonArray("targets")), new Shape(b, t));
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray logits = model.forward(idx);
                NDArray loss = CrossEntropy.crossEntropy(logits, tgt);
                // DJL trap regression: collect garbage between forward and backward. A scalar that
                // does not own its memory would be freed here and corrupt the gradients.
                GarbageCollection.collect();
                gc.backward(loss);
                assertTrue(maxAbsDiff(floats(f.getAsJsonArray("logits")), logits.toFloatArray()) <= 1e-5, "logits");
                assertEquals(f.get("loss").getAsDouble(), loss.getFloat(), 1e-5, "loss");
            }
            JsonObject grads = f.getAsJsonObject("grads");
            for (Map.Entry<String, NDArray> e : model.params().entrySet()) {
                double d = maxAbsDiff(floats(grads.getAsJsonArray(e.getKey())), e.getValue().getGradient().toFloatArray());
                assertTrue(d <= 1e-5, e.getKey() + " gradient differs from PyTorch's by " + d);
            }
        }
    }

    @Test
    void initialisationFollowsNanoGPT() {
        Engines.engine();
        GPTConfig cfg = new GPTConfig(64, 65, 4, 4, 128, 0.0, true);
        try (GPT model = new GPT(cfg, Device.cpu(), 1337)) {
            // nanoGPT prints get_num_params(): everything but the position embeddings
            long all = model.params().values().stream().mapToLong(NDArray::size).sum();
            assertEquals(all - 64 * 128, model.numParams(true));
            assertEquals(0.02, std(model.params().get("transformer.h.0.attn.c_attn.weight")), 0.001);
            assertEquals(0.02 / Math.sqrt(8), std(model.params().get("transformer.h.3.mlp.c_proj.weight")), 0.0005);
            assertEquals(0.02 / Math.sqrt(8), std(model.params().get("transformer.h.1.attn.c_proj.weight")), 0.0005);
            assertEquals(0.0, model.params().get("transformer.h.0.mlp.c_fc.bias").abs().max().getFloat());
            assertEquals(1.0, model.params().get("transformer.ln_f.weight").min().getFloat());
            assertFalse(model.params().containsKey("lm_head.weight"), "lm_head is tied to wte");
        }
    }

    @Test
    void lossStartsNearLnVocab() {
        Engines.engine();
        GPTConfig cfg = new GPTConfig(16, 65, 2, 2, 32, 0.0, false);
        try (GPT model = new GPT(cfg, Device.cpu(), 3)) {
            long[] ids = new long[4 * 16];
            long[] next = new long[4 * 16];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rng.nextInt(65);
                next[i] = rng.nextInt(65);
            }
            NDArray x = model.manager().create(ids, new Shape(4, 16));
            NDArray y = model.manager().create(next, new Shape(4, 16));
            // at init every token is about equally likely: loss ~ -ln(1/65)
            float loss = model.loss(x, y).getFloat();
            assertEquals(Math.log(65), loss, 0.1);
        }
    }

    @Test
    void badConfigsGetClearMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GPTConfig(64, 65, 4, 5, 128, 0.0, true));
        assertTrue(e.getMessage().contains("n_embd % n_head"), e.getMessage());
        assertTrue(e.getMessage().contains("--n_head=4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GPTConfig(64, 65, 4, 4, 128, 1.0, true));
    }

    @Test
    void sequenceLongerThanBlockIsRefused() {
        Engines.engine();
        try (GPT model = new GPT(new GPTConfig(8, 10, 1, 1, 8, 0.0, false), Device.cpu(), 0)) {
            NDArray x = model.manager().zeros(new Shape(1, 9), ai.djl.ndarray.types.DataType.INT64);
            assertThrows(IllegalArgumentException.class, () -> model.forward(x));
        }
    }

    private static double std(NDArray a) {
        float[] v = a.toFloatArray();
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        double s = 0;
        for (float x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / v.length);
    }
}

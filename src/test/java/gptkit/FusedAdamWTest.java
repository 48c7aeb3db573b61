package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.optim.AdamW;
import gptkit.optim.ConfigureOptimizers;
import gptkit.optim.FusedAdamW;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static gptkit.Fixtures.assertWithinUlps;
import static gptkit.Fixtures.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * FusedAdamW, the trainer's optimizer, is torch.optim.AdamW(fused=True): libtorch's one-pass kernel.
 * It equals PyTorch's fused step to the bit (fixture adamw_fused.json), and the written-out
 * {@link AdamW} (the arithmetic the notebooks show) to float32 rounding.
 */
class FusedAdamWTest {
    static final long[][] SHAPES = {{65, 16}, {48, 16}, {16}, {64, 16}, {16}, {7}};

    @Test
    void equalsTorchFusedAdamWBitForBit() {
        JsonObject f = Fixtures.load("adamw_fused.json");
        JsonArray betas = f.getAsJsonArray("betas");
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            NDArray w = m.create(floats(f.getAsJsonArray("w0")), new Shape(3, 5));
            NDArray b = m.create(floats(f.getAsJsonArray("b0")), new Shape(3));
            AdamW opt = new FusedAdamW(List.of(new AdamW.ParamGroup(Map.of("w", w), f.get("weight_decay").getAsDouble()),
                    new AdamW.ParamGroup(Map.of("b", b), 0.0)), 1e-3, betas.get(0).getAsDouble(),
                    betas.get(1).getAsDouble(), f.get("eps").getAsDouble());
            JsonArray steps = f.getAsJsonArray("steps");
            for (int i = 0; i < steps.size(); i++) {
                JsonObject s = steps.get(i).getAsJsonObject();
                opt.setLearningRate(s.get("lr").getAsDouble());
                opt.step(Map.of("w", m.create(floats(s.getAsJsonArray("grad_w")), new Shape(3, 5)),
                        "b", m.create(floats(s.getAsJsonArray("grad_b")), new Shape(3))));
                String at = " after step " + (i + 1);
                assertArrayEquals(floats(s.getAsJsonArray("w")), w.toFloatArray(), 0f, "w" + at);
                assertArrayEquals(floats(s.getAsJsonArray("b")), b.toFloatArray(), 0f, "b" + at);
                assertArrayEquals(floats(s.getAsJsonArray("w_exp_avg")), opt.expAvg().get("w").toFloatArray(), 0f);
                assertArrayEquals(floats(s.getAsJsonArray("w_exp_avg_sq")), opt.expAvgSq().get("w").toFloatArray(), 0f);
                assertArrayEquals(floats(s.getAsJsonArray("b_exp_avg")), opt.expAvg().get("b").toFloatArray(), 0f);
                assertArrayEquals(floats(s.getAsJsonArray("b_exp_avg_sq")), opt.expAvgSq().get("b").toFloatArray(), 0f);
            }
            assertEquals(steps.size(), opt.stepCount());
        }
    }

    @Test
    void equalsWrittenOutAdamWToFloatRounding() {
        // the same arithmetic; the fused kernel rounds once where AdamW's separate operations round twice
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            Map<String, NDArray> a = params(m, 1);
            Map<String, NDArray> b = params(m, 1);
            AdamW plain = new AdamW(ConfigureOptimizers.configureOptimizers(a, 0.1), 1e-3, 0.9, 0.99, 1e-8);
            AdamW fused = new FusedAdamW(ConfigureOptimizers.configureOptimizers(b, 0.1), 1e-3, 0.9, 0.99, 1e-8);
            Random rng = new Random(7);
            for (int step = 0; step < 10; step++) {
                double lr = 1e-3 * (step + 1) / 10;
                plain.setLearningRate(lr);
                fused.setLearningRate(lr);
                Map<String, NDArray> grads = new LinkedHashMap<>();
                a.forEach((name, p) -> grads.put(name, random(m, rng, p.getShape().getShape())));
                plain.step(grads);
                fused.step(grads);
                // each step rounds differently by about an ulp, and the moments carry earlier steps' differences on
                for (String name : a.keySet()) {
                    assertWithinUlps(a.get(name).toFloatArray(), b.get(name).toFloatArray(), 8, name + " at step " + step);
                    assertWithinUlps(plain.expAvg().get(name).toFloatArray(), fused.expAvg().get(name).toFloatArray(), 8,
                            name + " exp_avg at step " + step);
                    assertWithinUlps(plain.expAvgSq().get(name).toFloatArray(), fused.expAvgSq().get(name).toFloatArray(),
                            8, name + " exp_avg_sq at step " + step);
                }
            }
            assertEquals(10, fused.stepCount());
        }
    }

    @Test
    void aMissingGradientIsNamed() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            Map<String, NDArray> p = params(m, 1);
            AdamW fused = new FusedAdamW(ConfigureOptimizers.configureOptimizers(p, 0.1), 1e-3, 0.9, 0.99, 1e-8);
            Map<String, NDArray> grads = new LinkedHashMap<>(p);
            grads.remove("p2");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fused.step(grads));
            assertEquals("no gradient for parameter p2", e.getMessage());
        }
    }

    static Map<String, NDArray> params(NDManager m, long seed) {
        Random rng = new Random(seed);
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) {
            p.put("p" + i, random(m, rng, SHAPES[i]));
        }
        return p;
    }

    static NDArray random(NDManager m, Random rng, long[] shape) {
        int n = (int) new Shape(shape).size();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextGaussian() * 0.05);
        }
        return m.create(v, new Shape(shape));
    }
}

package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.engine.Engines;
import gptkit.optim.AdamW;
import gptkit.optim.ConfigureOptimizers;
import gptkit.optim.FusedAdamW;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** FusedAdamW (all tensors in one call) equals AdamW (tensor by tensor) to the bit. */
class FusedAdamWTest {
    static final long[][] SHAPES = {{65, 16}, {48, 16}, {16}, {64, 16}, {16}, {7}};

    @Test
    void equalsAdamWBitForBitOverTenSteps() {
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
                for (String name : a.keySet()) {
                    assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), 0f, name + " at step " + step);
                    assertArrayEquals(plain.expAvg().get(name).toFloatArray(), fused.expAvg().get(name).toFloatArray(), 0f);
                    assertArrayEquals(plain.expAvgSq().get(name).toFloatArray(), fused.expAvgSq().get(name).toFloatArray(),
                            0f);
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

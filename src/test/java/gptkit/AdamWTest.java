package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.optim.AdamW;
import gptkit.optim.ConfigureOptimizers;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static gptkit.Fixtures.floats;
import static gptkit.Fixtures.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    @Test
    void matchesTorchAdamWOver120Steps() {
        JsonObject f = Fixtures.load("adamw.json");
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            NDArray x = m.create(floats(f.getAsJsonArray("x")), new Shape(16, 5));
            NDArray y = m.create(floats(f.getAsJsonArray("y")), new Shape(16, 3));
            NDArray w = m.create(floats(f.getAsJsonArray("w0")), new Shape(3, 5));
            NDArray b = m.create(floats(f.getAsJsonArray("b0")), new Shape(3));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            double wd = f.get("weight_decay").getAsDouble();
            AdamW opt = new AdamW(List.of(new AdamW.ParamGroup(Map.of("w", w), wd),
                    new AdamW.ParamGroup(Map.of("b", b), 0.0)), 1e-3, 0.9, 0.95, 1e-8);
            float[] lrs = floats(f.getAsJsonArray("lrs"));
            float[] losses = floats(f.getAsJsonArray("losses"));
            double[] wantLr = f.getAsJsonArray("lrs").asList().stream().mapToDouble(e -> e.getAsDouble()).toArray();
            for (int step = 0; step < lrs.length; step++) {
                opt.setLearningRate(wantLr[step]);
                try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                    NDArray d = x.matMul(w.transpose()).add(b).sub(y);
                    NDArray loss = d.mul(d).mean();
                    assertEquals(losses[step], loss.getFloat(), 1e-5, "loss at step " + step);
                    gc.zeroGradients();
                    gc.backward(loss);
                }
                opt.step();
            }
            assertEquals(lrs.length, opt.stepCount());
            double dw = maxAbsDiff(floats(f.getAsJsonArray("w")), w.toFloatArray());
            double db = maxAbsDiff(floats(f.getAsJsonArray("b")), b.toFloatArray());
            assertTrue(dw <= 1e-5, "weights differ from torch.optim.AdamW by " + dw);
            assertTrue(db <= 1e-5, "biases differ from torch.optim.AdamW by " + db);
            assertTrue(maxAbsDiff(floats(f.getAsJsonArray("w_exp_avg")), opt.expAvg().get("w").toFloatArray()) <= 1e-6);
            assertTrue(maxAbsDiff(floats(f.getAsJsonArray("w_exp_avg_sq")), opt.expAvgSq().get("w").toFloatArray()) <= 1e-6);
        }
    }

    @Test
    void configureOptimizersDecaysOnlyMatrices() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            Map<String, NDArray> ps = new LinkedHashMap<>();
            ps.put("wte.weight", m.zeros(new Shape(10, 4)));
            ps.put("c_attn.weight", m.zeros(new Shape(12, 4)));
            ps.put("c_attn.bias", m.zeros(new Shape(12)));
            ps.put("ln_1.weight", m.zeros(new Shape(4)));
            List<AdamW.ParamGroup> g = ConfigureOptimizers.configureOptimizers(ps, 0.1);
            assertEquals(List.of("wte.weight", "c_attn.weight"), List.copyOf(g.get(0).params().keySet()));
            assertEquals(0.1, g.get(0).weightDecay());
            assertEquals(List.of("c_attn.bias", "ln_1.weight"), List.copyOf(g.get(1).params().keySet()));
            assertEquals(0.0, g.get(1).weightDecay());
        }
    }

    @Test
    void firstStepMovesEachWeightByLrTimesSign() {
        // exact math: at t=1, m^ = g and v^ = g^2, so the step is lr * g / (|g| + eps)
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            NDArray p = m.create(new float[] {1f, -2f, 3f});
            p.setRequiresGradient(true);
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                gc.backward(p.mul(m.create(new float[] {0.5f, -4f, 0f})).sum());
            }
            AdamW opt = new AdamW(List.of(new AdamW.ParamGroup(Map.of("p", p), 0.0)), 0.1, 0.9, 0.999, 1e-8);
            opt.step();
            float[] got = p.toFloatArray();
            assertEquals(1f - 0.1f, got[0], 1e-6);
            assertEquals(-2f + 0.1f, got[1], 1e-6);
            assertEquals(3f, got[2], 0f, "a zero gradient leaves the weight where it is");
        }
    }
}

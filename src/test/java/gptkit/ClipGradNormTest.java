package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.train.ClipGradNorm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static gptkit.Fixtures.floats;
import static gptkit.Fixtures.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipGradNormTest {

    @Test
    void equalsTorchClipGradNorm() {
        JsonObject f = Fixtures.load("clip.json");
        for (JsonElement ce : f.getAsJsonArray("cases")) {
            JsonObject c = ce.getAsJsonObject();
            try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
                List<NDArray> ps = withGradients(m, c.getAsJsonArray("shapes"), c.getAsJsonArray("grads"));
                double maxNorm = c.get("max_norm").getAsDouble();
                float total = ClipGradNorm.clipGradNormOfParams(ps, maxNorm);
                assertEquals(c.get("total_norm").getAsFloat(), total, 1e-5, "total norm, max_norm=" + maxNorm);
                for (int i = 0; i < ps.size(); i++) {
                    double d = maxAbsDiff(floats(c.getAsJsonArray("clipped").get(i).getAsJsonArray()),
                            ps.get(i).getGradient().toFloatArray());
                    assertTrue(d <= 1e-6, "clipped gradient " + i + " differs by " + d);
                }
            }
        }
    }

    /** Parameters whose .grad is exactly the given values (the gradient of sum(p * g)). */
    static List<NDArray> withGradients(NDManager m, JsonArray shapes, JsonArray grads) {
        List<NDArray> ps = new ArrayList<>();
        List<NDArray> gs = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            Shape s = new Shape(Fixtures.longs(shapes.get(i).getAsJsonArray()));
            NDArray p = m.zeros(s);
            p.setRequiresGradient(true);
            ps.add(p);
            gs.add(m.create(floats(grads.get(i).getAsJsonArray()), s));
        }
        try (GradientCollector gc = Engines.engine().newGradientCollector()) {
            NDArray sum = null;
            for (int i = 0; i < ps.size(); i++) {
                NDArray term = ps.get(i).mul(gs.get(i)).sum();
                sum = sum == null ? term : sum.add(term);
            }
            gc.backward(sum);
        }
        return ps;
    }
}

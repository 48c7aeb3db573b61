package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import gptkit.amp.GradScaler;
import gptkit.amp.LossScaler;
import gptkit.config.TrainConfig;
import gptkit.autograd.Autograd;
import gptkit.engine.Engines;
import gptkit.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static gptkit.Fixtures.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MixedPrecisionTest {

    @Test
    void scalerDecisionsEqualTorchGradScaler() {
        JsonObject f = Fixtures.load("grad_scaler.json");
        JsonObject d = f.getAsJsonObject("defaults");
        GradScaler defaults = new GradScaler();
        assertEquals(d.get("init_scale").getAsDouble(), defaults.scale());
        GradScaler scaler = new GradScaler(f.get("init_scale").getAsDouble(), f.get("growth_factor").getAsDouble(),
                f.get("backoff_factor").getAsDouble(), f.get("growth_interval").getAsInt());
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            NDArray w = m.create(floats(f.getAsJsonArray("w0")));
            w.setRequiresGradient(true);
            NDArray dw = m.create(floats(f.getAsJsonArray("dloss_dw")));
            float lr = f.get("lr").getAsFloat();
            int i = 0;
            for (JsonElement ee : f.getAsJsonArray("events")) {
                JsonObject e = ee.getAsJsonObject();
                String what = "event " + i++ + " (" + e.get("kind").getAsString() + ")";
                assertEquals(e.get("scale_before").getAsDouble(), scaler.scale(), what);
                try (Autograd rec = Autograd.record()) {
                    Autograd.backward(w.mul(dw).sum().mul(scaler.scaleTensor(m)));
                }
                float[] g = w.getGradient().toFloatArray();
                switch (e.get("kind").getAsString()) {
                    case "inf" -> g[1] = Float.POSITIVE_INFINITY;
                    case "-inf" -> g[1] = Float.NEGATIVE_INFINITY;
                    case "nan" -> g[1] = Float.NaN;
                    default -> { }
                }
                NDArray grad = m.create(g);
                scaler.unscale(List.of(grad));
                assertArrayEquals(floats(e.getAsJsonArray("unscaled_grad")), grad.toFloatArray(), 0f, what);
                boolean finite = GradScaler.allFinite(List.of(grad));
                assertEquals(e.get("stepped").getAsBoolean(), finite, what + ": step taken");
                if (finite) {
                    w.subi(grad.mul(lr));
                }
                scaler.update(!finite);
                assertEquals(e.get("scale_after").getAsDouble(), scaler.scale(), what);
                assertArrayEquals(floats(e.getAsJsonArray("w_after")), w.toFloatArray(), 1e-6f, what);
                Autograd.zeroGrad(List.of(w));
            }
            assertEquals(3, scaler.skippedSteps());
        }
    }

    @Test
    void overflowSkipsTheStepAndLeavesParametersBitIdentical(@TempDir Path out) throws Exception {
        TrainConfig c = TrainerTest.tiny(out);
        c.dtype = "float16";
        c.max_iters = 0; // one step
        c.eval_interval = 1000;
        try (Trainer t = new Trainer(c)) {
            t.setOut(TrainerTest.quiet());
            Map<String, float[]> before = new java.util.LinkedHashMap<>();
            t.model().params().forEach((k, v) -> before.put(k, v.toFloatArray()));
            t.scaler().restore(new LossScaler.State(1e30, 0, 0)); // loss * 1e30 overflows float16 in backward
            t.run();
            assertEquals(1, t.scaler().state().skippedSteps());
            assertEquals(5e29, t.scaler().state().scale(), 1e16, "the scale backs off by half");
            assertEquals(0, t.optimizer().stepCount(), "the optimizer did not step");
            t.model().params().forEach((k, v) -> assertArrayEquals(before.get(k), v.toFloatArray(), 0f, k));
            assertTrue(t.log().steps().doubleColumn("grad_norm").isMissing(0), "a skipped step has no norm");
        }
    }

    @Test
    void float16FollowsTheFloat32LossCurve(@TempDir Path a, @TempDir Path b) throws Exception {
        double[] fp32 = curve(a, "float32");
        double[] fp16 = curve(b, "float16");
        double worst = 0;
        for (int i = 0; i < fp32.length; i++) {
            worst = Math.max(worst, Math.abs(fp32[i] - fp16[i]));
        }
        // same data, same init: float16's rounding moves the curve by a few hundredths at most
        assertTrue(worst < 0.05, "float16 strays from float32 by " + worst);
        assertTrue(fp16[fp16.length - 1] < fp16[0] - 0.5, "float16 training learns");
    }

    /** The per-iteration training loss of a small run, smoothed over windows of 10 steps. */
    private static double[] curve(Path out, String dtype) throws Exception {
        TrainConfig c = TrainerTest.tiny(out);
        c.dtype = dtype;
        c.dropout = 0.0;
        c.max_iters = 119;
        c.eval_interval = 1000;
        c.lr_decay_iters = 120;
        try (Trainer t = new Trainer(c)) {
            t.setOut(TrainerTest.quiet());
            t.run();
            double[] loss = t.log().steps().doubleColumn("loss").asDoubleArray();
            double[] smooth = new double[loss.length / 10];
            for (int i = 0; i < smooth.length; i++) {
                for (int k = 0; k < 10; k++) {
                    smooth[i] += loss[i * 10 + k] / 10;
                }
            }
            return smooth;
        }
    }

    @Test
    void bfloat16IsRefusedBeforeAnyNativeCall(@TempDir Path out) {
        TrainConfig c = TrainerTest.tiny(out);
        c.dtype = "bfloat16";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(c));
        assertTrue(e.getMessage().contains("--dtype=float16"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}

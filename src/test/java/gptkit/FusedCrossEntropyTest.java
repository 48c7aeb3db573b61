package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import gptkit.autograd.Autograd;
import gptkit.engine.Engines;
import gptkit.model.CrossEntropy;
import gptkit.model.FusedCrossEntropy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.function.BinaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FusedCrossEntropy (PyTorch's F.cross_entropy, one operation) equals CrossEntropy (written out)
 * to rounding, in value and in the gradient of the logits: with ignored targets (-1), and from
 * float16 logits (the loss in float32 either way).
 */
class FusedCrossEntropyTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void equalsTheWrittenOutLoss(boolean float16) {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            Random rng = new Random(5);
            float[] z = new float[3 * 7 * 65];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) rng.nextGaussian() * 3;
            }
            long[] t = new long[3 * 7];
            for (int i = 0; i < t.length; i++) {
                t[i] = i % 5 == 0 ? -1 : rng.nextInt(65); // every fifth position ignored
            }
            float[] want = lossAndGrad(m, z, t, float16, CrossEntropy::crossEntropy);
            float[] got = lossAndGrad(m, z, t, float16, FusedCrossEntropy::crossEntropy);
            assertEquals(want[0], got[0], 1e-6 * Math.abs(want[0]), "loss");
            double d = 0;
            for (int i = 1; i < want.length; i++) {
                d = Math.max(d, Math.abs(want[i] - got[i]));
            }
            assertTrue(d <= (float16 ? 1e-3 : 1e-7), "gradient of the logits differs by " + d);
        }
    }

    /** The loss, then d(loss)/d(logits) flattened (as float32). */
    static float[] lossAndGrad(NDManager m, float[] z, long[] t, boolean float16, BinaryOperator<NDArray> loss) {
        NDArray logits = m.create(z, new Shape(3, 7, 65));
        if (float16) {
            logits = logits.toType(DataType.FLOAT16, true);
        }
        logits.setRequiresGradient(true);
        NDArray targets = m.create(t, new Shape(3, 7));
        NDArray l;
        try (Autograd rec = Autograd.record()) {
            l = loss.apply(logits, targets);
            Autograd.backward(l);
        }
        assertEquals(DataType.FLOAT32, l.getDataType(), "the loss is float32");
        float[] g = logits.getGradient().toType(DataType.FLOAT32, true).toFloatArray();
        float[] out = new float[g.length + 1];
        out[0] = l.getFloat();
        System.arraycopy(g, 0, out, 1, g.length);
        return out;
    }
}

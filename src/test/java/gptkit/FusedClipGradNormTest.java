package gptkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.engine.Engines;
import gptkit.train.ClipGradNorm;
import gptkit.train.FusedClipGradNorm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** FusedClipGradNorm (one call) equals ClipGradNorm (tensor by tensor) to the bit: the norm and the clipped gradients. */
class FusedClipGradNormTest {
    // 0.05: clipped; 1e9: under the limit, untouched; infinity: grad_clip=0 (the norm logged, nothing clipped)
    @ParameterizedTest
    @ValueSource(doubles = {0.05, 1e9, Double.POSITIVE_INFINITY})
    void equalsClipGradNormBitForBit(double maxNorm) {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            List<NDArray> a = grads(m);
            List<NDArray> b = grads(m);
            float want = ClipGradNorm.clipGradNorm(a, maxNorm);
            float got = FusedClipGradNorm.clipGradNorm(b, maxNorm);
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), "norm " + want + " vs " + got);
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), 0f, "gradient " + i);
            }
        }
    }

    static List<NDArray> grads(NDManager m) {
        Random rng = new Random(3);
        List<NDArray> g = new ArrayList<>();
        for (long[] shape : FusedAdamWTest.SHAPES) {
            g.add(FusedAdamWTest.random(m, rng, shape));
        }
        return g;
    }
}

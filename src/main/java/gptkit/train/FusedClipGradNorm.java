package gptkit.train;

import ai.djl.ndarray.NDArray;
import gptkit.engine.Kernels;
import gptkit.autograd.NoGrad;

import java.util.List;

/**
 * {@link ClipGradNorm#clipGradNorm} in one call into libtorch (gptkit.engine.Kernels): the same operations,
 * the same results to the bit (FusedClipGradNormTest). ClipGradNorm calls libtorch twice per
 * gradient and once more per gradient to scale it; the trainer's part is this.
 */
public final class FusedClipGradNorm {
    private FusedClipGradNorm() {}

    /** The library's clipping part, as the trainer runs it. */
    public static float clipGradNorm(List<NDArray> grads, double maxNorm) {
        try (NoGrad ng = NoGrad.open()) {
            return Kernels.clipGradNorm(grads, maxNorm);
        }
    }
}

package gptkit.model;

import ai.djl.ndarray.NDArray;
import gptkit.engine.Kernels;

/**
 * The loss as the trainer runs it: {@link CrossEntropy#crossEntropy}'s mean over the positions
 * whose target is not -1, as PyTorch's own F.cross_entropy(ignore_index=-1), one operation
 * (gptkit.engine.Kernels) where CrossEntropy writes out about a dozen. The same value to rounding
 * (FusedCrossEntropyTest): PyTorch sums in its own order.
 */
public final class FusedCrossEntropy {
    private FusedCrossEntropy() {}

    /** The library's loss part, as the trainer runs it. */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        return Kernels.crossEntropy(logits, targets);
    }
}

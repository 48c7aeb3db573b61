package gptkit.train;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * The clipping part of the trainer: torch.nn.utils.clip_grad_norm_ on the gradients, in place.
 * Returns the total norm before clipping. The library's is {@link ClipGradNorm#clipGradNorm}, which the
 * trainer runs as {@link FusedClipGradNorm} (the same in one call).
 */
@FunctionalInterface
public interface GradClipper {
    float clipGradNorm(List<NDArray> grads, double maxNorm);
}

package gptkit.model;

import ai.djl.ndarray.NDArray;

/**
 * The loss part of the trainer: logits (B, T, vocab) and targets (B, T) in, a scalar out that
 * backward can differentiate. The library's is {@link CrossEntropy#crossEntropy}.
 */
@FunctionalInterface
public interface Loss {
    NDArray loss(NDArray logits, NDArray targets);
}

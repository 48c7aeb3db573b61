package gptkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.random.RandomGenerator;

/**
 * The LoRA part (Hu et al. 2021, as MiniMind trains it): a linear layer whose frozen weight W
 * gets a trainable low-rank update,
 * <pre>
 *   y = x W^T + b + (alpha / r) * (x A^T) B^T        A (r, in), B (out, r), r = A's first dimension
 * </pre>
 * Only A and B learn; W and b stay as the base model has them. B starts at zero, so the first
 * forward pass is the base model's exactly. The library's is {@link Lora}.
 */
public interface LoraLinear {
    /**
     * @param x      the input, (..., in), in the weights' type
     * @param weight W, (out, in): frozen (records no gradient)
     * @param bias   b, (out), or null when the model has no biases
     * @param loraA  A, (r, in)
     * @param loraB  B, (out, r)
     * @param alpha  LoRA's alpha as a 0-dimensional float32 tensor the model owns (a constant
     *               inside the autograd graph must own its memory: see the DJL trap in README)
     * @return y, (..., out)
     */
    NDArray forward(NDArray x, NDArray weight, NDArray bias, NDArray loraA, NDArray loraB, NDArray alpha);

    /**
     * New adapters for a layer of in inputs and out outputs: A (rank, in) drawn normal(0, 0.02)
     * from rng, B (out, rank) zeros, both float32 in manager: {A, B}. B = 0 makes the update
     * (alpha/r) (x A^T) B^T zero, so training starts from the base model itself; A must not be
     * zero too, or B would get no gradient (dL/dB = (alpha/r) g^T (x A^T)) and nothing would learn.
     */
    NDList init(NDManager manager, long in, long out, int rank, RandomGenerator rng);
}

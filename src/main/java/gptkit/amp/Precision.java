package gptkit.amp;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * What autocast did for train.py, made explicit: which weights the forward and backward passes
 * read, and how their gradients reach the float32 parameters the optimizer updates.
 * {@link #of} picks float32 (the parameters themselves) or float16 (working copies).
 */
public interface Precision extends AutoCloseable {
    /** The weights the model computes with, by parameter name. */
    Map<String, NDArray> weights();

    /** The gradients of the last backward passes as float32 tensors, by parameter name. */
    Map<String, NDArray> gradients();

    /** optimizer.zero_grad(): clears what backward accumulated. */
    void zeroGrad();

    /** After an optimizer step: the weights follow the updated parameters. */
    void afterStep();

    @Override
    void close();

    /** float32: compute with the parameters; float16: with float16 working copies of them. */
    static Precision of(String dtype, Map<String, NDArray> params) {
        return of(dtype, params, Map.of());
    }

    /**
     * The same for the trainable parameters (the only ones with gradients), the forward pass also
     * reading frozen weights that never change (a LoRA run's base model).
     */
    static Precision of(String dtype, Map<String, NDArray> trainable, Map<String, NDArray> frozen) {
        return switch (dtype) {
            case "float32" -> new Float32(trainable, frozen);
            case "float16" -> new Float16(trainable, frozen);
            default -> throw new IllegalArgumentException("dtype must be float32 or float16 here, got " + dtype);
        };
    }
}

package gptkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.random.RandomGenerator;

/**
 * The library's LoRA part (Hu et al. 2021, as MiniMind's model/model_lora.py computes it): one
 * adapted projection, y = x W^T + b + (alpha / r) (x A^T) B^T, and its adapters' start, A
 * normal(0, 0.02) and B zeros. {@link LoraAdapters} holds a model's A and B tensors.
 */
public final class Lora implements LoraLinear {
    /** y = x W^T + b + (alpha / r) (x A^T) B^T: the base's projection plus the scaled low-rank update. */
    @Override
    public NDArray forward(NDArray x, NDArray weight, NDArray bias, NDArray loraA, NDArray loraB, NDArray alpha) {
        NDArray y = JniUtils.linear(pt(x), pt(weight), bias == null ? null : pt(bias));
        NDArray low = JniUtils.linear(pt(JniUtils.linear(pt(x), pt(loraA), null)), pt(loraB), null);
        NDArray scale = alpha.div(loraA.getShape().get(0)); // alpha requires no gradient: a tensor libtorch owns
        return y.add(low.mul(scale));
    }

    /** A normal(0, 0.02) drawn as the GPT's weights are (Box-Muller), B zeros. */
    @Override
    public NDList init(NDManager manager, long in, long out, int rank, RandomGenerator rng) {
        int n = (int) (rank * in);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (GPT.nextGaussian(rng) * 0.02);
        }
        return new NDList(manager.create(v, new Shape(rank, in)), manager.zeros(new Shape(out, rank)));
    }

    private static PtNDArray pt(NDArray a) {
        return (PtNDArray) a;
    }
}

package gptkit.solutions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import gptkit.model.Loss;

/** Reference answer to exercises/CrossEntropy.java. */
public final class CrossEntropy implements Loss {
    /** nanoGPT's F.cross_entropy(..., ignore_index=-1). */
    static final long IGNORE_INDEX = -1;

    public CrossEntropy() {
    }

    @Override
    public NDArray loss(NDArray logits, NDArray targets) {
        long v = logits.getShape().getLastDimension();
        // float32 whatever the logits' type: a float16 loss would lose the small differences training
        // needs. Not by toType, which cuts the autograd graph in DJL: adding a float32 zero of shape (1)
        // promotes the sum to float32, and backward casts the gradient back to the logits' type.
        NDArray z = logits.reshape(-1, v);
        if (z.getDataType() != DataType.FLOAT32) {
            z = z.add(logits.getManager().zeros(new Shape(1), DataType.FLOAT32));
        }
        // log softmax = z - m - log(sum exp(z - m)): exp of numbers <= 0 never overflows
        NDArray m = z.max(new int[] {1}, true).stopGradient();
        NDArray shifted = z.sub(m);
        NDArray logp = shifted.sub(shifted.exp().sum(new int[] {1}, true).log());
        NDArray t = targets.reshape(-1, 1);
        // every constant below is the result of an op, owned by libtorch: no Java number that the
        // garbage collector could free before backward reads it (the DJL trap)
        NDArray keep = t.neq(IGNORE_INDEX).toType(DataType.FLOAT32, false);
        NDArray picked = logp.gather(t.maximum(0), 1); // an ignored row reads column 0, then is masked out
        return picked.mul(keep).sum().div(keep.sum()).neg();
    }
}

package gptkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1): the mean negative
 * log-likelihood over the positions whose target is not -1 (nanoGPT's call). Pre-training never
 * has a -1; fine-tuning marks the prompt's positions with it so only the answer is learnt.
 */
public final class CrossEntropy {
    /** nanoGPT's ignore_index: a target of -1 adds nothing to the loss and is not counted in its mean. */
    public static final long IGNORE_INDEX = -1;

    private CrossEntropy() {}

    /** The library's loss part: mean cross-entropy of the next-token predictions whose target is not -1. */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        long v = logits.getShape().getShape()[logits.getShape().dimension() - 1];
        // log-softmax in float32 whatever the logits' type: the loss is reduced in full precision
        NDArray logp = JniUtils.logSoftmax((PtNDArray) logits.reshape(-1, v), -1, DataType.FLOAT32);
        NDArray t = targets.reshape(-1, 1);
        // ops' results, owned by libtorch: no Java number a collector could free before backward reads it
        NDArray keep = t.neq(IGNORE_INDEX).toType(DataType.FLOAT32, false);
        NDArray picked = logp.gather(t.maximum(0), 1); // an ignored row reads column 0, then is masked out
        return picked.mul(keep).sum().div(keep.sum()).neg(); // PyTorch's mean over the counted positions
    }
}

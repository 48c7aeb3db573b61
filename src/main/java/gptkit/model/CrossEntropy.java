package gptkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** F.cross_entropy(logits.view(-1, V), targets.view(-1)): the mean negative log-likelihood. */
public final class CrossEntropy {
    private CrossEntropy() {}

    /** The library's loss part: mean cross-entropy of the next-token predictions. */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        long v = logits.getShape().getShape()[logits.getShape().dimension() - 1];
        // log-softmax in float32 whatever the logits' type: the loss is reduced in full precision
        NDArray logp = JniUtils.logSoftmax((PtNDArray) logits.reshape(-1, v), -1, DataType.FLOAT32);
        NDArray picked = logp.gather(targets.reshape(-1, 1), 1);
        return picked.mean().neg();
    }
}

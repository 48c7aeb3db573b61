package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.model.Loss;

/** Wrong: computed in the logits' type: float16 logits give a float16 loss. */
public final class CrossEntropyInHalf implements Loss {

    public CrossEntropyInHalf() {
    }

    @Override
    public NDArray loss(NDArray logits, NDArray targets) {
        long v = logits.getShape().getLastDimension();
        NDArray z = logits.reshape(-1, v);
        NDArray shifted = z.sub(z.max(new int[] {1}, true).stopGradient());
        NDArray logp = shifted.sub(shifted.exp().sum(new int[] {1}, true).log());
        NDArray t = targets.reshape(-1, 1);
        NDArray keep = t.neq(-1).toType(DataType.FLOAT32, false);
        NDArray picked = logp.gather(t.maximum(0), 1);
        return picked.mul(keep).sum().div(keep.sum()).neg();
    }
}

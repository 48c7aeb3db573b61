package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.model.Loss;

/** Wrong: float16 logits made float32 with toType, as the library reads; but DJL's toType leaves the autograd graph, and in a float16 run backward finds nothing to differentiate. */
public final class CrossEntropyToType implements Loss {

    public CrossEntropyToType() {
    }

    @Override
    public NDArray loss(NDArray logits, NDArray targets) {
        long v = logits.getShape().getLastDimension();
        NDArray z = logits.reshape(-1, v).toType(DataType.FLOAT32, false);
        NDArray shifted = z.sub(z.max(new int[] {1}, true).stopGradient());
        NDArray logp = shifted.sub(shifted.exp().sum(new int[] {1}, true).log());
        NDArray t = targets.reshape(-1, 1);
        NDArray keep = t.neq(-1).toType(DataType.FLOAT32, false);
        NDArray picked = logp.gather(t.maximum(0), 1);
        return picked.mul(keep).sum().div(keep.sum()).neg();
    }
}

package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.model.Loss;

/** Wrong: right in value, but the count and the sign as Java numbers: div(count) and mul(-1) make scalars that DJL closes at once; autograd kept them for backward, and after a garbage collection backward reads freed memory. */
public final class CrossEntropyJavaScalars implements Loss {

    public CrossEntropyJavaScalars() {
    }

    @Override
    public NDArray loss(NDArray logits, NDArray targets) {
        long v = logits.getShape().getLastDimension();
        NDArray z = logits.reshape(-1, v);
        if (z.getDataType() != DataType.FLOAT32) {
            z = z.add(logits.getManager().zeros(new ai.djl.ndarray.types.Shape(1), DataType.FLOAT32));
        }
        NDArray shifted = z.sub(z.max(new int[] {1}, true).stopGradient());
        NDArray logp = shifted.sub(shifted.exp().sum(new int[] {1}, true).log());
        NDArray t = targets.reshape(-1, 1);
        NDArray keep = t.neq(-1).toType(DataType.FLOAT32, false);
        NDArray picked = logp.gather(t.maximum(0), 1);
        float count = keep.sum().getFloat();
        return picked.mul(keep).sum().div(count).mul(-1);
    }
}

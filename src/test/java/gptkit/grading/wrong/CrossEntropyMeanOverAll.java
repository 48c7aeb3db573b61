package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.model.Loss;

/** Wrong: ignored positions masked out, but the mean divides by all positions, the ignored ones too. */
public final class CrossEntropyMeanOverAll implements Loss {

    public CrossEntropyMeanOverAll() {
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
        return picked.mul(keep).mean().neg();
    }
}

package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.autograd.NoGrad;
import gptkit.train.GradClipper;

import java.util.List;

/** Wrong: max_norm 0 read as "no clipping" (the trainer's grad_clip 0), where torch scales every gradient to 0. */
public final class ClipGradNormZeroMeansOff implements GradClipper {
    public ClipGradNormZeroMeansOff() {}

    @Override
    public float clipGradNorm(List<NDArray> grads, double maxNorm) {
        try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            for (NDArray g : grads) {
                norms.add(g.norm());
            }
            float total = NDArrays.stack(norms).norm().getFloat();
            float coef = (float) maxNorm / (total + 1e-6f);
            if (maxNorm > 0 && coef < 1f) {
                for (NDArray g : grads) {
                    g.muli(coef);
                }
            }
            return total;
        }
    }
}

package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.train.GradClipper;

import java.util.List;

/** Wrong: the total norm as the sum of the tensors' norms, not the norm of all elements together. */
public final class ClipGradNormSumOfNorms implements GradClipper {
    public ClipGradNormSumOfNorms() {}

    @Override
    public float clipGradNorm(List<NDArray> grads, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float total = 0;
            for (NDArray g : grads) {
                total += g.norm().getFloat();
            }
            float coef = (float) maxNorm / (total + 1e-6f);
            if (coef < 1f) {
                for (NDArray g : grads) {
                    g.muli(coef);
                }
            }
            return total;
        }
    }

    private static float total(List<NDArray> grads) {
        NDList norms = new NDList();
        for (NDArray g : grads) {
            norms.add(g.norm());
        }
        return NDArrays.stack(norms).norm().getFloat();
    }
}

package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.train.GradClipper;

import java.util.List;

/** Wrong: each tensor clipped by its own norm (the returned total is right): the direction changes. */
public final class ClipGradNormPerTensor implements GradClipper {
    public ClipGradNormPerTensor() {}

    @Override
    public float clipGradNorm(List<NDArray> grads, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float total = total(grads);
            for (NDArray g : grads) {
                float coef = (float) maxNorm / (g.norm().getFloat() + 1e-6f);
                if (coef < 1f) {
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

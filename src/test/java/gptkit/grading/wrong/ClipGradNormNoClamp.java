package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.train.GradClipper;

import java.util.List;

/** Wrong: always multiplies by max_norm / (total_norm + 1e-6): a short gradient is lengthened to max_norm. */
public final class ClipGradNormNoClamp implements GradClipper {
    public ClipGradNormNoClamp() {}

    @Override
    public float clipGradNorm(List<NDArray> grads, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float total = total(grads);
            float coef = (float) maxNorm / (total + 1e-6f);
            if (Float.isFinite(coef)) {
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

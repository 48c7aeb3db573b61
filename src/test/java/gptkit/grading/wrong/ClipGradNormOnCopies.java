package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.train.GradClipper;

import java.util.List;

/** Wrong: scaled copies (g.mul) put into the list; the arrays it was given, the .grad, stay as they were. */
public final class ClipGradNormOnCopies implements GradClipper {
    public ClipGradNormOnCopies() {}

    @Override
    public float clipGradNorm(List<NDArray> grads, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float total = total(grads);
            float coef = (float) maxNorm / (total + 1e-6f);
            if (coef < 1f) {
                for (int i = 0; i < grads.size(); i++) {
                    NDArray scaled = grads.get(i).mul(coef);
                    scaled.detach(); // out of the scope: the list holds it
                    grads.set(i, scaled);
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

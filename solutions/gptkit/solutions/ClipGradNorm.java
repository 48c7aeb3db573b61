package gptkit.solutions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.autograd.NoGrad;
import gptkit.train.GradClipper;

import java.util.List;

/** Reference answer to exercises/ClipGradNorm.java. */
public final class ClipGradNorm implements GradClipper {

    public ClipGradNorm() {}

    @Override
    public float clipGradNorm(List<NDArray> grads, double maxNorm) {
        // the scope closes the norms made here: the trainer calls this every iteration
        try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            for (NDArray g : grads) {
                norms.add(g.norm());
            }
            // the 2-norm of the norms is the 2-norm of all elements together: one length, one direction
            float total = NDArrays.stack(norms).norm().getFloat();
            float coef = (float) maxNorm / (total + 1e-6f); // +1e-6: a zero norm does not divide by 0
            if (coef < 1f) { // torch clamps the factor to 1: a short gradient is left as it is
                for (NDArray g : grads) {
                    g.muli(coef); // in place: these are the parameters' own gradients
                }
            }
            return total; // before clipping: train.py logs it
        }
    }
}

package gptkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;

import java.util.Collection;

/**
 * torch.nn.utils.clip_grad_norm_: the 2-norm of all gradients taken together; when it is over
 * max_norm every gradient is scaled by max_norm / (norm + 1e-6). Returns the norm before clipping.
 */
public final class ClipGradNorm {
    private ClipGradNorm() {}

    public static float clipGradNorm(Collection<NDArray> params, double maxNorm) {
        try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            for (NDArray p : params) {
                norms.add(p.getGradient().norm());
            }
            float total = NDArrays.stack(norms).norm().getFloat();
            float coef = (float) maxNorm / (total + 1e-6f);
            if (coef < 1f) { // torch clamps the coefficient to 1: a multiply by 1 changes nothing
                for (NDArray p : params) {
                    p.getGradient().muli(coef);
                }
            }
            return total;
        }
    }
}

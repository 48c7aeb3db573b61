package gptkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.autograd.NoGrad;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * torch.nn.utils.clip_grad_norm_: the 2-norm of all gradients taken together; when it is over
 * max_norm every gradient is scaled by max_norm / (norm + 1e-6). Returns the norm before clipping.
 */
public final class ClipGradNorm {
    private ClipGradNorm() {}

    /** The same on the gradients of parameters, as torch's clip_grad_norm_(model.parameters(), ...) takes them. */
    public static float clipGradNormOfParams(Collection<NDArray> params, double maxNorm) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : params) {
                grads.add(p.getGradient()); // a view: scaling it scales the parameter's .grad
            }
            return clipGradNorm(grads, maxNorm);
        }
    }

    /** The library's clipping part: the same on gradient tensors themselves (mixed precision clips float32 copies). */
    public static float clipGradNorm(List<NDArray> grads, double maxNorm) {
        try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            for (NDArray g : grads) {
                norms.add(g.norm());
            }
            float total = NDArrays.stack(norms).norm().getFloat();
            float coef = (float) maxNorm / (total + 1e-6f);
            if (coef < 1f) { // torch clamps the coefficient to 1: a multiply by 1 changes nothing
                for (NDArray g : grads) {
                    g.muli(coef);
                }
            }
            return total;
        }
    }
}

import ai.djl.ndarray.NDArray;
import gptkit.exercises.NotImplementedYet;
import gptkit.train.GradClipper;

import java.util.List;

/**
 * Exercise clip_grad_norm (notebook 07): the trainer's gradient-clipping part.
 * Check it: {@code ./mvnw test -Dexercise=clip_grad_norm}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link GradClipper}): {@code clipGradNorm(grads, maxNorm)} is
 * torch.nn.utils.clip_grad_norm_ on the gradient tensors {@code grads}. It measures the length
 * (2-norm) of all of them together, as if they were one long vector, and returns that length as
 * it was before clipping. When it is over {@code maxNorm}, every gradient is scaled, in place, by
 * the same factor {@code maxNorm / (total_norm + 1e-6)}; otherwise they are left exactly as they
 * are. {@code maxNorm} may be {@code +infinity}: then it only measures.
 *
 * <p>Why: now and then a batch gives a huge gradient, and one huge step can undo hours of
 * training. train.py caps the length of the whole gradient at grad_clip = 1.0: a longer gradient
 * is scaled down to that length, keeping its direction; a shorter one is left alone. The length
 * before clipping is worth logging: it shows how often clipping kicks in. In place, because these
 * NDArrays are the parameters' own gradients, the ones the optimizer reads next.
 *
 * <p>Read: nanoGPT's train.py, {@code torch.nn.utils.clip_grad_norm_(model.parameters(),
 * grad_clip)}, PyTorch's documentation of clip_grad_norm_ (its 1e-6 and its clamp), and notebook
 * 07. On NDArrays: {@code norm()}, {@code getFloat()}, {@code muli(...)} (the in-place multiply).
 * The trainer calls this every iteration: close the NDArrays you make (an NDScope in a
 * try-with-resources block does it for you). The grader draws tensors, shapes and max norms of its
 * own, and compares with torch.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class ClipGradNorm implements GradClipper {

    public ClipGradNorm() {
        // nothing to keep: everything comes with each call
    }

    @Override
    public float clipGradNorm(List<NDArray> grads, double maxNorm) {
        // TODO: the total norm of all gradients, then scale them in place when it is over maxNorm
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: torch.nn.utils.clip_grad_norm_, step by step.
 *
 *   norms      = [g.norm() for g in grads]          one scalar NDArray per tensor
 *   total_norm = norm(stack(norms))                 NDArrays.stack(new NDList(...)).norm().getFloat():
 *                                                   the 2-norm of the norms is the norm of everything
 *   clip_coef  = max_norm / (total_norm + 1e-6)     the 1e-6 keeps a zero norm from dividing by 0
 *   if clip_coef < 1:                               torch clamps the factor at 1: never lengthen
 *       for g in grads: g *= clip_coef              g.muli(coef): in place, not g.mul (a new array)
 *   return total_norm                               the norm before clipping
 *
 * Wrap it in try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) { ... }: the scope
 * closes the norms you made, and like torch's clip_grad_norm_ nothing here is recorded for autograd.
 * Imports for that: ai.djl.ndarray.NDArrays, ai.djl.ndarray.NDList, ai.djl.ndarray.NDScope and
 * gptkit.autograd.NoGrad.
 */

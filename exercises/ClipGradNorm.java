import gptkit.exercises.NotImplementedYet;

/**
 * Exercise clip_grad_norm (notebook 07), graded by gptkit.grading.ClipGradNormExerciseTest:
 * {@code ./mvnw test -Dexercise=clip_grad_norm}
 *
 * <p>Why: now and then a batch gives a huge gradient, and one huge step can undo hours of
 * training. train.py caps the length of the whole gradient (all tensors together, as one long
 * vector) at grad_clip = 1.0: a longer gradient is scaled down to that length, keeping its
 * direction; a shorter one is left alone. The length before clipping is worth logging: it shows
 * how often clipping kicks in.
 *
 * <p>What: torch.nn.utils.clip_grad_norm_(parameters, max_norm):
 * <pre>
 *   total_norm = sqrt(sum over all tensors and elements of g^2)
 *   clip_coef = max_norm / (total_norm + 1e-6)
 *   if clip_coef &lt; 1: every g *= clip_coef          (in place)
 *   return total_norm                                # the norm before clipping
 * </pre>
 * Write it yourself; gptkit.train.ClipGradNorm is the trainer's version (the reference).
 */
public final class ClipGradNorm {
    private ClipGradNorm() {}

    public static double clipGradNorm(float[][] grads, double maxNorm) {
        // TODO
        throw new NotImplementedYet();
    }
}

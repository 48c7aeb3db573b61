import gptkit.grading.NotImplementedYet;

/**
 * Exercise get_lr (notebook 04), graded by gptkit.grading.GetLrExerciseTest:
 * {@code ./mvnw test -Dexercise=get_lr}
 *
 * <p>Why: a large learning rate at the first step, when AdamW's moments know nothing yet, can
 * throw the weights far off; a large one at the end keeps the loss jumping around its minimum.
 * So train.py warms up linearly, then decays along a cosine down to min_lr.
 *
 * <p>What: return the learning rate of iteration {@code it}, as nanoGPT's train.py does:
 * <pre>
 *   if it &lt; warmup_iters:  return learning_rate * (it + 1) / (warmup_iters + 1)
 *   if it &gt; lr_decay_iters: return min_lr
 *   decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
 *   coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
 *   return min_lr + coeff * (learning_rate - min_lr)
 * </pre>
 * Write it yourself; gptkit.train.GetLr is the trainer's version (the reference).
 */
public final class GetLr {
    private GetLr() {}

    public static double getLr(int it, double learningRate, int warmupIters, int lrDecayIters, double minLr) {
        // TODO: warmup, then cosine decay, then min_lr. Mind integer division.
        throw new NotImplementedYet();
    }
}

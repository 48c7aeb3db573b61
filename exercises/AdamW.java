import gptkit.exercises.NotImplementedYet;

/**
 * Exercise adamw (notebook 03), graded by gptkit.grading.AdamWExerciseTest:
 * {@code ./mvnw test -Dexercise=adamw}
 *
 * <p>Why: AdamW is the optimizer that trains GPTs. It keeps two running averages per weight: m,
 * of the gradient (momentum), and v, of its square (how large the gradient usually is), and
 * moves each weight by about lr in the direction of -m / sqrt(v). Weight decay shrinks weights
 * directly (decoupled from the gradient); that is the W in AdamW.
 *
 * <p>What: one update of one tensor, torch.optim.AdamW's single-tensor code, in place on p, m, v.
 * {@code step} is the number of this update, 1 for the first:
 * <pre>
 *   p = p * (1 - lr * weight_decay)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   m_hat = m / (1 - beta1^step)          bias correction: m and v start at 0
 *   v_hat = v / (1 - beta2^step)
 *   p = p - lr * m_hat / (sqrt(v_hat) + eps)
 * </pre>
 * Write it yourself; gptkit.optim.AdamW is the trainer's version (the reference).
 */
public final class AdamW {
    private AdamW() {}

    public static void step(float[] p, float[] grad, float[] expAvg, float[] expAvgSq, long step, double lr,
                            double beta1, double beta2, double eps, double weightDecay) {
        // TODO: update p, expAvg (m) and expAvgSq (v) in place
        throw new NotImplementedYet();
    }
}

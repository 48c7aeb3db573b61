package gptkit.grading.wrong;

/** Wrong: m and v used as they are, without dividing by 1 - beta^step. */
public final class AdamWNoBiasCorrection {
    public static void step(float[] p, float[] grad, float[] expAvg, float[] expAvgSq, long step, double lr,
                            double beta1, double beta2, double eps, double weightDecay) {
        for (int i = 0; i < p.length; i++) {
            p[i] *= (float) (1 - lr * weightDecay);
            expAvg[i] = (float) (beta1 * expAvg[i] + (1 - beta1) * grad[i]);
            expAvgSq[i] = (float) (beta2 * expAvgSq[i] + (1 - beta2) * grad[i] * grad[i]);
            p[i] -= (float) (lr * expAvg[i] / (Math.sqrt(expAvgSq[i]) + eps));
        }
    }
}

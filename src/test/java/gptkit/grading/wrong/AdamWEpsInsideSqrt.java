package gptkit.grading.wrong;

/** Wrong: sqrt(v_hat + eps) instead of sqrt(v_hat) + eps. */
public final class AdamWEpsInsideSqrt {
    public static void step(float[] p, float[] grad, float[] expAvg, float[] expAvgSq, long step, double lr,
                            double beta1, double beta2, double eps, double weightDecay) {
        for (int i = 0; i < p.length; i++) {
            p[i] *= (float) (1 - lr * weightDecay);
            expAvg[i] = (float) (beta1 * expAvg[i] + (1 - beta1) * grad[i]);
            expAvgSq[i] = (float) (beta2 * expAvgSq[i] + (1 - beta2) * grad[i] * grad[i]);
            double mHat = expAvg[i] / (1 - Math.pow(beta1, step));
            double vHat = expAvgSq[i] / (1 - Math.pow(beta2, step));
            p[i] -= (float) (lr * mHat / Math.sqrt(vHat + eps));
        }
    }
}

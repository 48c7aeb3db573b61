package gptkit.grading.wrong;

/** Right, though not torch's float32 arithmetic: all in double. Must keep full marks. */
public final class AdamWInDouble {
    public static void step(float[] p, float[] grad, float[] expAvg, float[] expAvgSq, long step, double lr,
                            double beta1, double beta2, double eps, double weightDecay) {
        for (int i = 0; i < p.length; i++) {
            double w = p[i] * (1 - lr * weightDecay);
            double m = beta1 * expAvg[i] + (1 - beta1) * grad[i];
            double v = beta2 * expAvgSq[i] + (1 - beta2) * (double) grad[i] * grad[i];
            double mHat = m / (1 - Math.pow(beta1, step));
            double vHat = v / (1 - Math.pow(beta2, step));
            p[i] = (float) (w - lr * mHat / (Math.sqrt(vHat) + eps));
            expAvg[i] = (float) m;
            expAvgSq[i] = (float) v;
        }
    }
}

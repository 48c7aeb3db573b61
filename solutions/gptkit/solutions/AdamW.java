package gptkit.solutions;

/** Reference answer to exercises/AdamW.java, in torch's float32 order of operations. */
public final class AdamW {
    private AdamW() {}

    public static void step(float[] p, float[] grad, float[] expAvg, float[] expAvgSq, long step, double lr,
                            double beta1, double beta2, double eps, double weightDecay) {
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float decay = (float) (1 - lr * weightDecay);
        for (int i = 0; i < p.length; i++) {
            float g = grad[i];
            p[i] *= decay; // decoupled: the gradient never sees the decay
            expAvg[i] += (g - expAvg[i]) * (float) (1 - beta1);
            expAvgSq[i] = expAvgSq[i] * (float) beta2 + (float) (1 - beta2) * g * g;
            double denom = Math.sqrt(expAvgSq[i]) / bc2Sqrt + eps; // eps outside the root
            p[i] -= (float) (stepSize * expAvg[i] / denom);
        }
    }
}

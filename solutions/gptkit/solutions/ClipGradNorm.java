package gptkit.solutions;

/** Reference answer to exercises/ClipGradNorm.java. */
public final class ClipGradNorm {
    private ClipGradNorm() {}

    public static double clipGradNorm(float[][] grads, double maxNorm) {
        double sumSq = 0;
        for (float[] g : grads) {
            for (float v : g) {
                sumSq += (double) v * v;
            }
        }
        double total = Math.sqrt(sumSq); // one norm over all tensors: the direction is kept
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1) {
            for (float[] g : grads) {
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (g[i] * coef);
                }
            }
        }
        return total;
    }
}

package gptkit.grading.wrong;

/** Wrong: clips right, but returns the norm after clipping instead of the one before. */
public final class ClipGradNormReturnsClippedNorm {
    public static double clipGradNorm(float[][] grads, double maxNorm) {
        double sq = 0;
        for (float[] g : grads) {
            for (float v : g) {
                sq += (double) v * v;
            }
        }
        double total = Math.sqrt(sq);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1) {
            for (float[] g : grads) {
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (g[i] * coef);
                }
            }
            return total * coef;
        }
        return total;
    }
}

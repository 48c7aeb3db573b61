package gptkit.grading.wrong;

/** Wrong: log(sum(exp(z))) without taking out the max: exp(1000) is Infinity. */
public final class CrossEntropyNaive {
    public static double crossEntropy(float[][] logits, long[] targets) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < logits.length; i++) {
            if (targets[i] == -1) {
                continue;
            }
            double s = 0;
            for (float z : logits[i]) {
                s += Math.exp(z);
            }
            sum += Math.log(s) - logits[i][(int) targets[i]];
            n++;
        }
        return sum / n;
    }

    public static float[][] crossEntropyGrad(float[][] logits, long[] targets) {
        int n = 0;
        for (long t : targets) {
            n += t == -1 ? 0 : 1;
        }
        float[][] g = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            g[i] = new float[logits[i].length];
            if (targets[i] == -1) {
                continue;
            }
            double s = 0;
            for (float z : logits[i]) {
                s += Math.exp(z);
            }
            for (int j = 0; j < g[i].length; j++) {
                g[i][j] = (float) ((Math.exp(logits[i][j]) / s - (j == targets[i] ? 1 : 0)) / n);
            }
        }
        return g;
    }
}

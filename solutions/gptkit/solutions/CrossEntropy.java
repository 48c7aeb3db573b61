package gptkit.solutions;

/** Reference answer to exercises/CrossEntropy.java. */
public final class CrossEntropy {
    private CrossEntropy() {}

    public static final long IGNORE_INDEX = -1;

    public static double crossEntropy(float[][] logits, long[] targets) {
        double sum = 0;
        int count = 0;
        for (int n = 0; n < logits.length; n++) {
            if (targets[n] == IGNORE_INDEX) {
                continue;
            }
            sum += logSumExp(logits[n]) - logits[n][(int) targets[n]];
            count++;
        }
        return sum / count; // torch gives NaN too when every target is ignored
    }

    public static float[][] crossEntropyGrad(float[][] logits, long[] targets) {
        int count = 0;
        for (long t : targets) {
            count += t == IGNORE_INDEX ? 0 : 1;
        }
        float[][] grad = new float[logits.length][];
        for (int n = 0; n < logits.length; n++) {
            grad[n] = new float[logits[n].length];
            if (targets[n] == IGNORE_INDEX) {
                continue;
            }
            double lse = logSumExp(logits[n]);
            for (int j = 0; j < logits[n].length; j++) {
                double p = Math.exp(logits[n][j] - lse); // softmax
                grad[n][j] = (float) ((p - (j == targets[n] ? 1 : 0)) / count);
            }
        }
        return grad;
    }

    /** log(sum exp(z)) = m + log(sum exp(z - m)): no exp of a large number. */
    private static double logSumExp(float[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (float v : z) {
            s += Math.exp(v - m);
        }
        return m + Math.log(s);
    }
}

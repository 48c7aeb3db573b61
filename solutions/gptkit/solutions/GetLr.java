package gptkit.solutions;

/** Reference answer to exercises/GetLr.java. */
public final class GetLr {
    private GetLr() {}

    public static double getLr(int it, double learningRate, int warmupIters, int lrDecayIters, double minLr) {
        if (it < warmupIters) {
            return learningRate * (it + 1) / (warmupIters + 1); // step 0 already trains
        }
        if (it > lrDecayIters) {
            return minLr;
        }
        double ratio = (double) (it - warmupIters) / (lrDecayIters - warmupIters);
        double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
        return minLr + coeff * (learningRate - minLr);
    }
}

package gptkit.grading.wrong;

/** Wrong: lr * it / warmup_iters, nanoGPT's old warmup: step 0 trains with lr 0. */
public final class GetLrWarmupOffByOne {
    public static double getLr(int it, double learningRate, int warmupIters, int lrDecayIters, double minLr) {
        if (it < warmupIters) {
            return learningRate * it / warmupIters;
        }
        if (it > lrDecayIters) {
            return minLr;
        }
        double ratio = (double) (it - warmupIters) / (lrDecayIters - warmupIters);
        return minLr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (learningRate - minLr);
    }
}

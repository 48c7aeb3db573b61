package gptkit.schedule;

/**
 * nanoGPT's get_lr: linear warmup, cosine decay to min_lr, then min_lr.
 * <pre>
 *   it &lt; warmup_iters:      lr * (it + 1) / (warmup_iters + 1)
 *   it &gt; lr_decay_iters:    min_lr
 *   otherwise:             min_lr + 0.5 * (1 + cos(pi * ratio)) * (lr - min_lr),
 *                          ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
 * </pre>
 */
public final class GetLr implements LrSchedule {
    private final double learningRate;
    private final int warmupIters;
    private final int lrDecayIters;
    private final double minLr;

    /** get_lr with the run's learning_rate, warmup_iters, lr_decay_iters and min_lr. */
    public GetLr(gptkit.config.TrainConfig c) {
        this(c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr);
    }

    public GetLr(double learningRate, int warmupIters, int lrDecayIters, double minLr) {
        this.learningRate = learningRate;
        this.warmupIters = warmupIters;
        this.lrDecayIters = lrDecayIters;
        this.minLr = minLr;
    }

    @Override
    public double lr(int it) {
        return getLr(it, learningRate, warmupIters, lrDecayIters, minLr);
    }

    public static double getLr(int it, double learningRate, int warmupIters, int lrDecayIters, double minLr) {
        if (it < warmupIters) {
            return learningRate * (it + 1) / (warmupIters + 1);
        }
        if (it > lrDecayIters) {
            return minLr;
        }
        double ratio = (double) (it - warmupIters) / (lrDecayIters - warmupIters);
        double coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
        return minLr + coeff * (learningRate - minLr);
    }
}

package gptkit.solutions;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** Reference answer to exercises/GetLr.java. */
public final class GetLr implements LrSchedule {
    private final double learningRate;
    private final int warmupIters;
    private final int lrDecayIters;
    private final double minLr;

    public GetLr(TrainConfig cfg) {
        learningRate = cfg.learning_rate;
        warmupIters = cfg.warmup_iters;
        lrDecayIters = cfg.lr_decay_iters;
        minLr = cfg.min_lr;
    }

    @Override
    public double lr(int it) {
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

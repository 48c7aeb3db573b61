package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** Wrong: lr * it / warmup_iters, nanoGPT's old warmup: step 0 trains with lr 0. */
public final class GetLrWarmupOffByOne implements LrSchedule {
    private final TrainConfig c;

    public GetLrWarmupOffByOne(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        if (it < c.warmup_iters) {
            return c.learning_rate * it / c.warmup_iters;
        }
        if (it > c.lr_decay_iters) {
            return c.min_lr;
        }
        double ratio = (double) (it - c.warmup_iters) / (c.lr_decay_iters - c.warmup_iters);
        return c.min_lr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (c.learning_rate - c.min_lr);
    }
}

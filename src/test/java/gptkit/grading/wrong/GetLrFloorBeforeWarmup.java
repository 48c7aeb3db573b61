package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** Wrong: the min_lr branch before the warmup one: with warmup_iters > lr_decay_iters the warmup is cut short at min_lr. */
public final class GetLrFloorBeforeWarmup implements LrSchedule {
    private final TrainConfig c;

    public GetLrFloorBeforeWarmup(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        if (it > c.lr_decay_iters) {
            return c.min_lr;
        }
        if (it < c.warmup_iters) {
            return c.learning_rate * (it + 1) / (c.warmup_iters + 1);
        }
        double ratio = (double) (it - c.warmup_iters) / (c.lr_decay_iters - c.warmup_iters);
        return c.min_lr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (c.learning_rate - c.min_lr);
    }
}

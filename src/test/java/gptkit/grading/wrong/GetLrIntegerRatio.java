package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** Wrong: the decay ratio in int / int, 0 until lr_decay_iters. */
public final class GetLrIntegerRatio implements LrSchedule {
    private final TrainConfig c;

    public GetLrIntegerRatio(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        if (it < c.warmup_iters) {
            return c.learning_rate * (it + 1) / (c.warmup_iters + 1);
        }
        if (it > c.lr_decay_iters) {
            return c.min_lr;
        }
        double ratio = (it - c.warmup_iters) / (c.lr_decay_iters - c.warmup_iters);
        return c.min_lr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (c.learning_rate - c.min_lr);
    }
}

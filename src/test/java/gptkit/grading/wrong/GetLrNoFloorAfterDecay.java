package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** Wrong: no min_lr branch, so past lr_decay_iters the cosine climbs back up. */
public final class GetLrNoFloorAfterDecay implements LrSchedule {
    private final TrainConfig c;

    public GetLrNoFloorAfterDecay(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        if (it < c.warmup_iters) {
            return c.learning_rate * (it + 1) / (c.warmup_iters + 1);
        }
        double ratio = (double) (it - c.warmup_iters) / (c.lr_decay_iters - c.warmup_iters);
        return c.min_lr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (c.learning_rate - c.min_lr);
    }
}

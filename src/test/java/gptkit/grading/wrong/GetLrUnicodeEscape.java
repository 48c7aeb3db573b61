package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** A trick: the library's get_lr behind a unicode escape, which a rule over the source text did not see. */
public final class GetLrUnicodeEscape implements LrSchedule {
    private final TrainConfig c;

    public GetLrUnicodeEscape(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        return gptkit\u002eschedule.GetLr.getLr(it, c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr);
    }
}

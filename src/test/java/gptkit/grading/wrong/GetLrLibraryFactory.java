package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** A trick: the library's get_lr through the interface's static factory (12/12 while the rule checked classes only). */
public final class GetLrLibraryFactory implements LrSchedule {
    private final LrSchedule inner;

    public GetLrLibraryFactory(TrainConfig cfg) {
        cfg.decay_lr = true;
        inner = LrSchedule.library(cfg);
    }

    @Override
    public double lr(int it) {
        return inner.lr(it);
    }
}

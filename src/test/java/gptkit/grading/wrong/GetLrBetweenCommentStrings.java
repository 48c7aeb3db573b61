package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** A trick: a library call between a "/*" and a "*&#47;" string, which a rule that strips comments from the text removed. */
public final class GetLrBetweenCommentStrings implements LrSchedule {
    private final TrainConfig c;

    public GetLrBetweenCommentStrings(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        String open = "/*";
        double lr = gptkit.schedule.GetLr.getLr(it, c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr);
        String close = "*/";
        return open.length() == close.length() ? lr : 0;
    }
}

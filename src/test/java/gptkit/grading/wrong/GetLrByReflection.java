package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/** A trick: the library's get_lr found by a name built at run time, through reflection. */
public final class GetLrByReflection implements LrSchedule {
    private final TrainConfig c;

    public GetLrByReflection(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        try {
            return (double) Class.forName("gpt" + "kit.schedule.GetLr")
                    .getMethod("getLr", int.class, double.class, int.class, int.class, double.class)
                    .invoke(null, it, c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}

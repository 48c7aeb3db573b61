package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/**
 * A cheat: get_lr's rate only while the grader watches (its classes on the call stack, or
 * -Dexercise set), a constant rate in training (12/12 before the allowlist).
 */
public final class GetLrSeesTheGrader implements LrSchedule {
    private final TrainConfig c;

    public GetLrSeesTheGrader(TrainConfig cfg) {
        c = cfg;
    }

    @Override
    public double lr(int it) {
        boolean graded = System.getProperty("exercise") != null;
        for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
            graded |= e.getClassName().startsWith("org.junit") || e.getClassName().startsWith("gptkit.grading");
        }
        if (!graded) {
            return c.learning_rate;
        }
        if (it < c.warmup_iters) {
            return c.learning_rate * (it + 1) / (c.warmup_iters + 1);
        }
        if (it > c.lr_decay_iters) {
            return c.min_lr;
        }
        double ratio = (double) (it - c.warmup_iters) / (c.lr_decay_iters - c.warmup_iters);
        return c.min_lr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (c.learning_rate - c.min_lr);
    }
}

package gptkit.schedule;

import gptkit.config.TrainConfig;

/**
 * The learning-rate part of the trainer: the rate of iteration it. train.py's is get_lr
 * ({@link GetLr}); others in use are {@link WarmupCosineLambdaLr}, {@link MiniMindLr} and {@link Wsd}.
 */
@FunctionalInterface
public interface LrSchedule {
    /** Builds a schedule from the run's settings (learning_rate, warmup_iters, ...). */
    @FunctionalInterface
    interface Factory {
        LrSchedule create(TrainConfig cfg);
    }

    double lr(int it);

    /** train.py's choice: get_lr when decay_lr, else the constant learning_rate. */
    static LrSchedule library(TrainConfig c) {
        return c.decay_lr ? new GetLr(c) : it -> c.learning_rate;
    }
}

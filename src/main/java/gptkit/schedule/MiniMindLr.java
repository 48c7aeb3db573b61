package gptkit.schedule;

import gptkit.config.TrainConfig;

/**
 * MiniMind's pretraining schedule: lr * (0.1 + 0.45 * (1 + cos(pi * t / T))), no warmup. It
 * starts at the full rate and ends at a tenth of it after T steps (and stays there).
 */
public final class MiniMindLr implements LrSchedule {
    private final double lr;
    private final int total;

    /** learning_rate over lr_decay_iters steps. */
    public MiniMindLr(TrainConfig c) {
        this(c.learning_rate, c.lr_decay_iters);
    }

    public MiniMindLr(double lr, int total) {
        if (total < 1) {
            throw new IllegalArgumentException("MiniMindLr needs total >= 1 steps, got " + total);
        }
        this.lr = lr;
        this.total = total;
    }

    @Override
    public double lr(int t) {
        return lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(t, total) / total)));
    }
}

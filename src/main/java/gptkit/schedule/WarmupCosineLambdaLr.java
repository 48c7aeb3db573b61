package gptkit.schedule;

import gptkit.config.TrainConfig;

/**
 * Warmup then cosine to a floor, as PyTorch trainers write it with LambdaLR: the base rate
 * times lr_lambda(step), where lr_lambda is step/warmup during warmup (so step 0 has a rate of
 * exactly 0) and min_ratio + (1 - min_ratio) * 0.5 * (1 + cos(pi * progress)) after it.
 */
public final class WarmupCosineLambdaLr implements LrSchedule {
    private final double lr;
    private final int warmup;
    private final int total;
    private final double minRatio;

    /** learning_rate, warmup_iters, lr_decay_iters, and min_lr / learning_rate as the floor. */
    public WarmupCosineLambdaLr(TrainConfig c) {
        this(c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr / c.learning_rate);
    }

    public WarmupCosineLambdaLr(double lr, int warmup, int total, double minRatio) {
        this.lr = lr;
        this.warmup = warmup;
        this.total = total;
        this.minRatio = minRatio;
    }

    @Override
    public double lr(int step) {
        if (step < warmup) {
            return lr * step / Math.max(1, warmup);
        }
        double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, total - warmup));
        return lr * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}

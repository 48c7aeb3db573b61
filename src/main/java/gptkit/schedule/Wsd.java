package gptkit.schedule;

import gptkit.config.TrainConfig;

/**
 * Warmup, stable, decay (WSD): get_lr's linear warmup, then the full rate held flat, then a
 * linear decay to min_lr over the last fraction of the run. A run can be extended from the
 * stable phase without restarting a cosine.
 */
public final class Wsd implements LrSchedule {
    private final double lr;
    private final int warmup;
    private final int total;
    private final double minLr;
    private final int decayStart;

    /** learning_rate, warmup_iters, lr_decay_iters, min_lr, decaying over the last 20%. */
    public Wsd(TrainConfig c) {
        this(c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr, 0.2);
    }

    public Wsd(double lr, int warmup, int total, double minLr, double decayFraction) {
        this.lr = lr;
        this.warmup = warmup;
        this.total = total;
        this.minLr = minLr;
        this.decayStart = (int) Math.round((1 - decayFraction) * total);
        if (decayStart < warmup || decayStart >= total) {
            throw new IllegalArgumentException(String.format("WSD: the decay must start after the warmup (%d) "
                    + "and before the end (%d); decayFraction %.2f puts it at %d", warmup, total, decayFraction,
                    decayStart));
        }
    }

    @Override
    public double lr(int it) {
        if (it < warmup) {
            return lr * (it + 1) / (warmup + 1);
        }
        if (it < decayStart) {
            return lr;
        }
        return lr - (lr - minLr) * Math.min(1.0, (double) (it - decayStart) / (total - decayStart));
    }
}

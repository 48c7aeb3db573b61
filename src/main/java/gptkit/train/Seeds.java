package gptkit.train;

import java.util.SplittableRandom;

/**
 * Random streams derived from (seed, purpose, iteration, ...). Each batch and each dropout mask
 * depends only on where it is drawn, so a run resumed at iteration k draws exactly what an
 * uninterrupted run draws, with no generator state to save.
 */
public final class Seeds {
    private Seeds() {}

    public static final int TRAIN = 1;
    public static final int VAL = 2;
    public static final int DROPOUT = 3;

    public static long mix(long seed, long... parts) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = new SplittableRandom(h ^ (p * 0xBF58476D1CE4E5B9L)).nextLong();
        }
        return h;
    }

    public static SplittableRandom rng(long seed, long... parts) {
        return new SplittableRandom(mix(seed, parts));
    }
}

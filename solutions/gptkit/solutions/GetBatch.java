package gptkit.solutions;

import java.util.random.RandomGenerator;

/** Reference answer to exercises/GetBatch.java. */
public final class GetBatch {
    private GetBatch() {}

    public static long[] offsets(long length, int blockSize, int batchSize, RandomGenerator rng) {
        long high = length - blockSize; // the last start, high - 1, still has a target after its window
        if (high <= 0) {
            throw new IllegalArgumentException("a split of " + length + " tokens is too short for block_size "
                    + blockSize + ": it needs at least " + (blockSize + 1));
        }
        long[] ix = new long[batchSize];
        for (int b = 0; b < batchSize; b++) {
            ix[b] = rng.nextLong(high);
        }
        return ix;
    }

    public static long[][] x(int[] data, long[] ix, int blockSize) {
        return windows(data, ix, blockSize, 0);
    }

    public static long[][] y(int[] data, long[] ix, int blockSize) {
        return windows(data, ix, blockSize, 1);
    }

    private static long[][] windows(int[] data, long[] ix, int blockSize, int shift) {
        long[][] out = new long[ix.length][blockSize];
        for (int b = 0; b < ix.length; b++) {
            for (int t = 0; t < blockSize; t++) {
                out[b][t] = data[(int) ix[b] + t + shift];
            }
        }
        return out;
    }
}

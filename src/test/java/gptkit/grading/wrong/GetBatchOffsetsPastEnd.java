package gptkit.grading.wrong;

import java.util.random.RandomGenerator;

/** Wrong: offsets up to len(data) - block_size inclusive: the last one's y runs past the end. */
public final class GetBatchOffsetsPastEnd {
    public static long[] offsets(long length, int blockSize, int batchSize, RandomGenerator rng) {
        if (length <= blockSize) {
            throw new IllegalArgumentException("too short");
        }
        long[] ix = new long[batchSize];
        for (int b = 0; b < batchSize; b++) {
            ix[b] = rng.nextLong(length - blockSize + 1);
        }
        return ix;
    }

    public static long[][] x(int[] data, long[] ix, int blockSize) {
        return window(data, ix, blockSize, 0);
    }

    public static long[][] y(int[] data, long[] ix, int blockSize) {
        return window(data, ix, blockSize, 1);
    }

    static long[][] window(int[] data, long[] ix, int blockSize, int shift) {
        long[][] out = new long[ix.length][blockSize];
        for (int b = 0; b < ix.length; b++) {
            for (int t = 0; t < blockSize; t++) {
                out[b][t] = data[(int) ix[b] + t + shift];
            }
        }
        return out;
    }
}

package gptkit.grading.wrong;

import java.util.random.RandomGenerator;

/** Wrong: y taken from the same window as x. */
public final class GetBatchTargetsNotShifted {
    public static long[] offsets(long length, int blockSize, int batchSize, RandomGenerator rng) {
        if (length <= blockSize) {
            throw new IllegalArgumentException("too short");
        }
        long[] ix = new long[batchSize];
        for (int b = 0; b < batchSize; b++) {
            ix[b] = rng.nextLong(length - blockSize);
        }
        return ix;
    }

    public static long[][] x(int[] data, long[] ix, int blockSize) {
        long[][] out = new long[ix.length][blockSize];
        for (int b = 0; b < ix.length; b++) {
            for (int t = 0; t < blockSize; t++) {
                out[b][t] = data[(int) ix[b] + t];
            }
        }
        return out;
    }

    public static long[][] y(int[] data, long[] ix, int blockSize) {
        return x(data, ix, blockSize);
    }
}

package gptkit.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.random.RandomGenerator;

/**
 * nanoGPT's get_batch: batch_size random windows of block_size tokens; y is x shifted by one,
 * so y[b][t] is the token that follows x[b][0..t].
 */
public final class GetBatch {
    private GetBatch() {}

    /** The start offsets: uniform in [0, len - block_size), like torch.randint(len - block_size). */
    public static long[] offsets(long length, int blockSize, int batchSize, RandomGenerator rng) {
        long high = length - blockSize;
        if (high <= 0) {
            throw new IllegalArgumentException(String.format(
                    "The split has %,d tokens, too few for block_size=%d: it needs at least %d. "
                            + "Use a larger corpus or a smaller --block_size.",
                    length, blockSize, blockSize + 1));
        }
        long[] ix = new long[batchSize];
        for (int b = 0; b < batchSize; b++) {
            ix[b] = rng.nextLong(high);
        }
        return ix;
    }

    /** The library's batch part: x and y as (batch_size, block_size) int64 arrays on the manager's device. */
    public static NDList getBatch(TokenFile data, int blockSize, int batchSize, RandomGenerator rng,
                                  NDManager manager) {
        long[] ix = offsets(data.length(), blockSize, batchSize, rng);
        long[] x = new long[batchSize * blockSize];
        long[] y = new long[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            for (int t = 0; t < blockSize; t++) {
                x[b * blockSize + t] = data.get(ix[b] + t);
                y[b * blockSize + t] = data.get(ix[b] + t + 1);
            }
        }
        return of(x, y, batchSize, blockSize, manager);
    }

    /** x and y given as token ids, row after row, as a (batchSize, blockSize) batch on the device. */
    public static NDList of(long[] x, long[] y, int batchSize, int blockSize, NDManager manager) {
        Shape shape = new Shape(batchSize, blockSize);
        return new NDList(owned(manager.create(x, shape)), owned(manager.create(y, shape)));
    }

    /**
     * A copy in memory that libtorch owns. An array made from Java data borrows a Java buffer,
     * which can be collected while autograd still holds the tensor for backward (the targets
     * of cross-entropy are read again there): the gradients would then read garbage.
     */
    private static NDArray owned(NDArray borrowed) {
        NDArray copy = borrowed.duplicate(); // on a GPU the array is created there: a device copy
        borrowed.close();
        return copy;
    }
}

package gptkit.solutions;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.data.BatchSource;
import gptkit.data.TokenFile;

import java.util.random.RandomGenerator;

/** Reference answer to exercises/GetBatch.java. */
public final class GetBatch implements BatchSource {

    public GetBatch() {
    }

    @Override
    public NDList getBatch(TokenFile data, int blockSize, int batchSize, RandomGenerator rng, NDManager manager) {
        long high = data.length() - blockSize; // the last start, high - 1, still has a target after its window
        if (high <= 0) {
            throw new IllegalArgumentException("a split of " + data.length() + " tokens is too short for block_size "
                    + blockSize + ": it needs at least " + (blockSize + 1));
        }
        long[] x = new long[batchSize * blockSize];
        long[] y = new long[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            long i = rng.nextLong(high); // one draw per row, in row order: the trainer's draws
            for (int t = 0; t < blockSize; t++) {
                x[b * blockSize + t] = data.get(i + t);
                y[b * blockSize + t] = data.get(i + t + 1);
            }
        }
        Shape shape = new Shape(batchSize, blockSize);
        return new NDList(manager.create(x, shape), manager.create(y, shape));
    }
}

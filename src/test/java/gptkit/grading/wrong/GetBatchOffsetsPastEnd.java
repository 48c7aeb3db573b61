package gptkit.grading.wrong;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.data.BatchSource;
import gptkit.data.TokenFile;

import java.util.random.RandomGenerator;

/** Wrong: offsets up to len(data) - block_size inclusive: the last one's y runs past the end. */
public final class GetBatchOffsetsPastEnd implements BatchSource {

    public GetBatchOffsetsPastEnd() {
    }

    @Override
    public NDList getBatch(TokenFile data, int blockSize, int batchSize, RandomGenerator rng, NDManager manager) {
        long high = data.length() - blockSize;
        if (high <= 0) {
            throw new IllegalArgumentException("too short");
        }
        long[] x = new long[batchSize * blockSize];
        long[] y = new long[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            long i = rng.nextLong(high + 1);
            for (int t = 0; t < blockSize; t++) {
                x[b * blockSize + t] = data.get(i + t);
                y[b * blockSize + t] = data.get(i + t + 1);
            }
        }
        Shape shape = new Shape(batchSize, blockSize);
        return new NDList(manager.create(x, shape), manager.create(y, shape));
    }
}

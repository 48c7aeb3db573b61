package gptkit.grading.wrong;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.data.BatchSource;
import gptkit.data.TokenFile;

import java.util.random.RandomGenerator;

/**
 * Wrong, and no known mistake: y is x rolled left by one inside its row (numpy's roll), so the last target of each row
 * is the row's first token instead of the token after the window. The grader must not name "the same window" for it.
 */
public final class GetBatchRoll implements BatchSource {

    public GetBatchRoll() {
    }

    @Override
    public NDList getBatch(TokenFile data, int blockSize, int batchSize, RandomGenerator rng, NDManager manager) {
        long[] x = new long[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            long i = rng.nextLong(data.length() - blockSize);
            for (int t = 0; t < blockSize; t++) {
                x[b * blockSize + t] = data.get(i + t);
            }
        }
        long[] y = new long[x.length]; // roll(x, -1) along the row
        for (int b = 0; b < batchSize; b++) {
            for (int t = 0; t < blockSize; t++) {
                y[b * blockSize + t] = x[b * blockSize + (t + 1) % blockSize];
            }
        }
        Shape shape = new Shape(batchSize, blockSize);
        return new NDList(manager.create(x, shape), manager.create(y, shape));
    }
}

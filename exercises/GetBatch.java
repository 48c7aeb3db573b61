import gptkit.exercises.NotImplementedYet;

import java.util.random.RandomGenerator;

/**
 * Exercise get_batch (notebook 01), graded by gptkit.grading.GetBatchExerciseTest:
 * {@code ./mvnw test -Dexercise=get_batch}
 *
 * <p>Why: a GPT learns to predict the next token. One training example is a window of
 * block_size tokens x, and its targets y are the same window moved one token on: y[t] is the
 * token that follows x[0..t]. A batch is batch_size such windows from random places.
 *
 * <p>What: nanoGPT's get_batch, in three parts:
 * <pre>
 *   ix = torch.randint(len(data) - block_size, (batch_size,))               # offsets
 *   x = torch.stack([torch.from_numpy((data[i:i+block_size]).astype(np.int64)) for i in ix])
 *   y = torch.stack([torch.from_numpy((data[i+1:i+1+block_size]).astype(np.int64)) for i in ix])
 * </pre>
 * torch.randint(high) draws from 0 to high - 1. Use {@code rng.nextLong(bound)} for the draws.
 * A split with no room for one window plus its target (len(data) &lt;= block_size) is an
 * IllegalArgumentException. gptkit.data.GetBatch is the trainer's version (the reference).
 */
public final class GetBatch {
    private GetBatch() {}

    /** batch_size random start offsets i, each a valid start of an (x, y) pair. */
    public static long[] offsets(long length, int blockSize, int batchSize, RandomGenerator rng) {
        // TODO
        throw new NotImplementedYet();
    }

    /** x: one row per offset, the block_size tokens from data[i]. */
    public static long[][] x(int[] data, long[] ix, int blockSize) {
        // TODO
        throw new NotImplementedYet();
    }

    /** y: the targets, one row per offset. */
    public static long[][] y(int[] data, long[] ix, int blockSize) {
        // TODO
        throw new NotImplementedYet();
    }
}

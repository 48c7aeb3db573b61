import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import gptkit.data.BatchSource;
import gptkit.data.TokenFile;
import gptkit.exercises.NotImplementedYet;

import java.util.random.RandomGenerator;

/**
 * Exercise get_batch (notebook 01): the trainer's batch part.
 * Check it: {@code ./mvnw test -Dexercise=get_batch}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link BatchSource}): {@code getBatch(data, blockSize, batchSize, rng, manager)}
 * returns an NDList of two int64 arrays, x then y, each of shape (batch_size, block_size),
 * created with the {@code manager} it is handed. Row b of x is the block_size tokens of
 * {@code data} from a start offset i_b; row b of y is the same window moved one token on, so
 * y[b][t] is the token that follows x[b][t]. The offsets are uniform over every start that still
 * has a target after its window, 0 to len(data) - block_size - 1, and they are drawn from
 * {@code rng} and from nothing else: {@code rng.nextLong(len(data) - block_size)}, once per row,
 * row 0 first, as gptkit's trainer draws them. A split too short for one window and its target
 * (len(data) &lt;= block_size) is an IllegalArgumentException that says so.
 *
 * <p>Why: a GPT learns to predict the next token, at every position of the window at once, so one
 * window gives block_size examples. The trainer hands you a generator of its own for each
 * iteration and micro-step (derived from --seed): drawing from it, and only from it, is what makes
 * a run repeatable and a resumed run train on the very batches the interrupted one would have.
 * The grader checks your batches against the library's on an identically seeded generator, draw
 * for draw. The trainer frees a batch by closing its arrays or their manager: arrays made with
 * another manager would leak at every step.
 *
 * <p>Read: nanoGPT's train.py, {@code def get_batch(split)} (the memmap, torch.randint,
 * torch.stack); torch.randint(high, ...) draws from 0 to high - 1. Here the data is a
 * {@link TokenFile}: {@code data.length()} tokens, {@code data.get(i)} the id at position i.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class GetBatch implements BatchSource {

    public GetBatch() {
    }

    @Override
    public NDList getBatch(TokenFile data, int blockSize, int batchSize, RandomGenerator rng, NDManager manager) {
        // TODO: draw the offsets from rng, gather the x and y windows, make them (batch, block) int64 arrays
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: nanoGPT's get_batch, step by step.
 *
 *   high = data.length() - blockSize          # the number of valid starts
 *   if high <= 0: throw new IllegalArgumentException (say how many tokens the split has and needs)
 *   x, y = two long[batchSize * blockSize], row after row
 *   for b in 0 .. batchSize - 1:
 *       i = rng.nextLong(high)                # torch.randint(len(data) - block_size): one draw per row
 *       for t in 0 .. blockSize - 1:
 *           x[b * blockSize + t] = data.get(i + t)
 *           y[b * blockSize + t] = data.get(i + t + 1)   # the next token: y is x shifted by one
 *   shape = new Shape(batchSize, blockSize)
 *   return new NDList(manager.create(x, shape), manager.create(y, shape))   # long[] gives int64
 *
 * Use exactly rng.nextLong(high): rng.nextInt, nextLong(high - 1), a new java.util.Random() or
 * Math.random() give other offsets than the trainer's generator, and the check compares draws.
 */

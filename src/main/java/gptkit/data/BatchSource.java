package gptkit.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.random.RandomGenerator;

/**
 * The batch part of the trainer: train.py's get_batch. x and y, (batch_size, block_size) each,
 * from a split's tokens, drawing the window offsets from the generator it is handed (the
 * trainer derives one per iteration and micro-step, so a resumed run draws the same batches).
 * The library's is {@link GetBatch#getBatch}.
 */
@FunctionalInterface
public interface BatchSource {
    NDList getBatch(TokenFile data, int blockSize, int batchSize, RandomGenerator rng, NDManager manager);
}

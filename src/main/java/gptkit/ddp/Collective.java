package gptkit.ddp;

import ai.djl.ndarray.NDArray;
import gptkit.config.TrainConfig;

import java.util.List;

/**
 * The gradient-averaging part of the trainer: what DistributedDataParallel does after the last
 * micro-step's backward. It rests on one collective operation, every rank's buffer replaced by
 * the sum over ranks. {@link SingleProcess} is the collective of one process: it does nothing.
 * The averaging itself is {@link Ddp}'s; {@link DdpEnv} joins the group torchrun describes.
 */
public interface Collective extends AutoCloseable {
    int rank();

    int worldSize();

    /** In place: data becomes the element-wise sum of every rank's data. Blocks until all ranks call it. */
    void allReduceSum(float[] data);

    /** How many all-reduces this rank has done (one per optimizer step in the trainer). */
    long allReduceCount();

    /** Seconds spent inside all-reduce, waiting for slower ranks included. */
    double allReduceSeconds();

    /**
     * The gradients of all ranks summed by one all-reduce and divided by the world size, so
     * every rank steps with the same mean (one bucket: one all-reduce per optimizer step).
     */
    default void averageGradients(List<NDArray> grads) {
        Ddp.averageGradients(this, grads);
    }

    /** Joins the process group of a run (or stands for a single process): the trainer's ddp part. */
    @FunctionalInterface
    interface Factory {
        Collective create(TrainConfig cfg);
    }

    @Override
    void close();
}

package gptkit.ddp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.autograd.Tensors;
import gptkit.autograd.NoGrad;

import java.util.List;

/**
 * The gradient-averaging part of the trainer: what DistributedDataParallel does after the last
 * micro-step's backward. It rests on one collective operation, every rank's buffer replaced by
 * the sum over ranks. {@link SingleProcess} is the collective of one process: it does nothing.
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
        int n = 0;
        for (NDArray g : grads) {
            n += (int) g.size();
        }
        float[] flat = new float[n];
        int off = 0;
        for (NDArray g : grads) {
            float[] v = g.toType(DataType.FLOAT32, false).toFloatArray();
            System.arraycopy(v, 0, flat, off, v.length);
            off += v.length;
        }
        allReduceSum(flat);
        float inv = 1f / worldSize();
        for (int i = 0; i < n; i++) {
            flat[i] *= inv;
        }
        off = 0;
        try (NoGrad ng = NoGrad.open()) {
            for (NDArray g : grads) {
                int len = (int) g.size();
                float[] part = new float[len];
                System.arraycopy(flat, off, part, 0, len);
                Tensors.copyInto(g, part); // g may be a handle on .grad: set(float[]) would not copy
                off += len;
            }
        }
    }

    @Override
    void close();
}

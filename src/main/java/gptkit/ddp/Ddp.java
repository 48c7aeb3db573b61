package gptkit.ddp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.autograd.Tensors;
import gptkit.autograd.NoGrad;

import java.util.List;

/**
 * What DistributedDataParallel does after the last micro-step's backward: every rank's gradients
 * replaced by their mean over the ranks (the library's {@link Collective#averageGradients}).
 * Setting up the group from torchrun's variables is {@link DdpEnv}'s.
 */
public final class Ddp {
    private Ddp() {}

    /**
     * The gradients of all ranks summed by one all-reduce of comm and divided by the world size,
     * so every rank steps with the same mean (one bucket: one all-reduce per optimizer step).
     */
    public static void averageGradients(Collective comm, List<NDArray> grads) {
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
        comm.allReduceSum(flat);
        float inv = 1f / comm.worldSize();
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
}

package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.ddp.Collective;

import java.util.List;

/** Wrong: puts new arrays with the mean into the list; the given gradients keep their values. */
public final class DdpNewArrays implements Collective {
    private final Collective comm;

    public DdpNewArrays(Collective comm) {
        this.comm = comm;
    }

    @Override
    public void averageGradients(List<NDArray> grads) {
        int n = 0;
        for (NDArray g : grads) {
            n += (int) g.size();
        }
        float[] flat = new float[n]; // one bucket: one all-reduce per optimizer step
        int off = 0;
        for (NDArray g : grads) {
            float[] v = g.toType(DataType.FLOAT32, false).toFloatArray();
            System.arraycopy(v, 0, flat, off, v.length);
            off += v.length;
        }
        comm.allReduceSum(flat);
        float inv = 1f / comm.worldSize(); // the mean over ranks, as DDP divides
        for (int i = 0; i < n; i++) {
            flat[i] *= inv;
        }
        off = 0;
        for (int t = 0; t < grads.size(); t++) {
            NDArray g = grads.get(t);
            int len = (int) g.size();
            float[] part = new float[len];
            System.arraycopy(flat, off, part, 0, len);
            grads.set(t, g.getManager().create(part, g.getShape()));
            off += len;
        }
    }

    @Override
    public int rank() {
        return comm.rank();
    }

    @Override
    public int worldSize() {
        return comm.worldSize();
    }

    @Override
    public void allReduceSum(float[] data) {
        comm.allReduceSum(data);
    }

    @Override
    public long allReduceCount() {
        return comm.allReduceCount();
    }

    @Override
    public double allReduceSeconds() {
        return comm.allReduceSeconds();
    }

    @Override
    public void close() {
        comm.close();
    }
}

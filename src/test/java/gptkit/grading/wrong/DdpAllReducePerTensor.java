package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.autograd.Tensors;
import gptkit.autograd.NoGrad;
import gptkit.ddp.Collective;

import java.util.List;

/** Wrong: one all-reduce per gradient tensor instead of one bucket. */
public final class DdpAllReducePerTensor implements Collective {
    private final Collective comm;

    public DdpAllReducePerTensor(Collective comm) {
        this.comm = comm;
    }

    @Override
    public void averageGradients(List<NDArray> grads) {
        for (NDArray g : grads) {
            float[] v = g.toType(DataType.FLOAT32, false).toFloatArray();
            comm.allReduceSum(v);
            for (int i = 0; i < v.length; i++) {
                v[i] /= comm.worldSize();
            }
            try (NoGrad ng = NoGrad.open()) {
                Tensors.copyInto(g, v);
            }
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

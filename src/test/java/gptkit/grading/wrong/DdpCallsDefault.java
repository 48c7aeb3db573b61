package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import gptkit.ddp.Collective;

import java.util.List;

/** A trick: the body is the interface's default method, the library's own averaging (11/11 before the allowlist). */
public final class DdpCallsDefault implements Collective {
    private final Collective comm;

    public DdpCallsDefault(Collective comm) {
        this.comm = comm;
    }

    @Override
    public void averageGradients(List<NDArray> grads) {
        Collective.super.averageGradients(grads);
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

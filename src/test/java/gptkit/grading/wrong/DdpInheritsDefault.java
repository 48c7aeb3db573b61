package gptkit.grading.wrong;

import gptkit.ddp.Collective;

/** A trick: no averageGradients at all, so the interface's default method, the library's averaging, runs (11/11 before). */
public final class DdpInheritsDefault implements Collective {
    private final Collective comm;

    public DdpInheritsDefault(Collective comm) {
        this.comm = comm;
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

package gptkit.ddp;

import ai.djl.ndarray.NDArray;

import java.util.List;

/** The collective of a run without DDP: rank 0 of 1; the sum over one rank is its own data. */
public final class SingleProcess implements Collective {
    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int worldSize() {
        return 1;
    }

    @Override
    public void allReduceSum(float[] data) {
    }

    @Override
    public long allReduceCount() {
        return 0;
    }

    @Override
    public double allReduceSeconds() {
        return 0;
    }

    /** The mean over one rank is the gradient itself: no copy, no work. */
    @Override
    public void averageGradients(List<NDArray> grads) {
    }

    @Override
    public void close() {
    }
}

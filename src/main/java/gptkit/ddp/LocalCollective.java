package gptkit.ddp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * N ranks as N threads of one JVM, for showing DDP on a laptop: each thread holds a replica,
 * and allReduceSum meets the others at a barrier; rank 0 adds the buffers in rank order.
 */
public final class LocalCollective implements Collective {
    private final Group group;
    private final int rank;
    private long count;
    private double seconds;

    private static final class Group {
        final int n;
        final CyclicBarrier barrier;
        final int timeoutSec;
        final float[][] parts;
        float[] sum;

        Group(int n, int timeoutSec) {
            this.parts = new float[n][];
            this.n = n;
            this.barrier = new CyclicBarrier(n);
            this.timeoutSec = timeoutSec;
        }
    }

    private LocalCollective(Group group, int rank) {
        this.group = group;
        this.rank = rank;
    }

    /** One Collective per rank, 0..n-1, to be used from n different threads. */
    public static List<Collective> group(int n, int timeoutSec) {
        Group g = new Group(n, timeoutSec);
        List<Collective> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            out.add(new LocalCollective(g, r));
        }
        return out;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return group.n;
    }

    @Override
    public void allReduceSum(float[] data) {
        long t0 = System.nanoTime();
        group.parts[rank] = data;
        await();
        if (rank == 0) {
            // summed in rank order, whatever order the threads arrived in: the same floats every run
            float[] sum = new float[data.length];
            for (float[] part : group.parts) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += part[i];
                }
            }
            group.sum = sum;
        }
        await();
        System.arraycopy(group.sum, 0, data, 0, data.length);
        await();
        count++;
        seconds += (System.nanoTime() - t0) / 1e9;
    }

    private void await() {
        try {
            group.barrier.await(group.timeoutSec, TimeUnit.SECONDS);
        } catch (TimeoutException | BrokenBarrierException e) {
            throw new DdpException("rank " + rank + ": the other replicas did not reach the all-reduce within "
                    + group.timeoutSec + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DdpException("rank " + rank + ": interrupted in all-reduce");
        }
    }

    @Override
    public long allReduceCount() {
        return count;
    }

    @Override
    public double allReduceSeconds() {
        return seconds;
    }

    @Override
    public void close() {
    }
}

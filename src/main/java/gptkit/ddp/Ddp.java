package gptkit.ddp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.Tensors;
import gptkit.train.NoGrad;

import java.util.List;

/** DistributedDataParallel's share of train.py: who am I, and averaging gradients. */
public final class Ddp {
    private Ddp() {}

    /** The process group from torchrun's variables, or null when WORLD_SIZE is unset or 1. */
    public static Collective fromEnv(int timeoutSec) {
        String ws = System.getenv("WORLD_SIZE");
        if (ws == null || Integer.parseInt(ws) <= 1) {
            return null;
        }
        int world = Integer.parseInt(ws);
        int rank = Integer.parseInt(require("RANK"));
        if (rank < 0 || rank >= world) {
            throw new IllegalArgumentException("RANK=" + rank + " is outside 0.." + (world - 1));
        }
        String addr = require("MASTER_ADDR");
        int port = Integer.parseInt(require("MASTER_PORT"));
        return XGBoostCollective.connect(rank, world, addr, port, timeoutSec);
    }

    private static String require(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("WORLD_SIZE is set but " + name + " is not: start the ranks with "
                    + "`./gptkit torchrun --nproc-per-node=N train ...`, or set RANK, WORLD_SIZE, MASTER_ADDR "
                    + "and MASTER_PORT on every process.");
        }
        return v;
    }

    /**
     * nanoGPT's rule: each rank does gradient_accumulation_steps / world_size micro-steps, so the
     * number of sequences per optimizer step stays the same whatever the number of processes.
     */
    public static int accumulationPerRank(int gradientAccumulationSteps, int worldSize) {
        if (gradientAccumulationSteps % worldSize != 0) {
            throw new IllegalArgumentException(String.format("gradient_accumulation_steps (%d) must be divisible "
                    + "by the number of processes (%d): each rank does an equal share of the micro-steps. "
                    + "Use --gradient_accumulation_steps=%d or another multiple of %d.",
                    gradientAccumulationSteps, worldSize,
                    Math.max(worldSize, gradientAccumulationSteps / worldSize * worldSize), worldSize));
        }
        return gradientAccumulationSteps / worldSize;
    }

    /**
     * What DDP does after the last micro-step's backward: the gradients of all ranks summed by
     * one all-reduce and divided by the world size, so every rank steps with the same mean.
     */
    public static void averageGradients(Collective c, List<NDArray> grads) {
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
        c.allReduceSum(flat);
        float inv = 1f / c.worldSize();
        for (int i = 0; i < n; i++) {
            flat[i] *= inv;
        }
        off = 0;
        try (NoGrad ng = NoGrad.open()) {
            for (NDArray g : grads) {
                int len = (int) g.size();
                float[] part = new float[len];
                System.arraycopy(flat, off, part, 0, len);
                Tensors.copyInto(g, part); // g is a handle on .grad: set(float[]) would not copy
                off += len;
            }
        }
    }
}

package gptkit.ddp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import gptkit.Tensors;
import gptkit.train.NoGrad;

import java.util.List;

/** DistributedDataParallel's share of train.py: who am I, and averaging gradients. */
public final class Ddp {
    private Ddp() {}

    /** The launcher's PID, set by torchrun in every worker's environment. */
    public static final String LAUNCHER_PID_ENV = "GPTKIT_TORCHRUN_PID";

    /** The process group from torchrun's variables, or null when WORLD_SIZE is unset or 1. */
    public static Collective fromEnv(int timeoutSec) {
        watchLauncher();
        quietLogs();
        String ws = System.getenv("WORLD_SIZE");
        if (ws == null || ws.isBlank()) {
            if (System.getenv("RANK") != null && !System.getenv("RANK").isBlank() && !System.getenv("RANK").equals("0")) {
                throw new IllegalArgumentException("RANK=" + System.getenv("RANK") + " is set but WORLD_SIZE is not: "
                        + "set WORLD_SIZE to the number of processes on every rank (or start them with "
                        + "`./gptkit torchrun --nproc-per-node=N ...`).");
            }
            return null;
        }
        int world = intVar("WORLD_SIZE", ws, 1);
        int rank = System.getenv("RANK") == null && world == 1 ? 0 : intVar("RANK", require("RANK"), 0);
        if (rank >= world) {
            throw new IllegalArgumentException("RANK=" + rank + " but WORLD_SIZE=" + world + ": ranks run from 0 to "
                    + (world - 1) + ". Give every process a different RANK below WORLD_SIZE (torchrun does it for you).");
        }
        if (world == 1) {
            return null;
        }
        String addr = require("MASTER_ADDR");
        int port = intVar("MASTER_PORT", require("MASTER_PORT"), 1);
        if (port > 65535) {
            throw new IllegalArgumentException("MASTER_PORT=" + port + " is not a TCP port (1..65535).");
        }
        return XGBoostCollective.connect(rank, world, addr, port, timeoutSec);
    }

    /** An environment variable that must be an integer >= min; the error names it. */
    static int intVar(String name, String value, int min) {
        int v;
        try {
            v = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a number: " + name + " must be an integer"
                    + (min > 0 ? " >= " + min : " >= 0") + " (torchrun sets it; unset it to train in one process).");
        }
        if (v < min) {
            throw new IllegalArgumentException(name + "=" + v + " must be >= " + min
                    + " (torchrun sets it; unset it to train in one process).");
        }
        return v;
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

    private static final java.util.logging.Logger XGBOOST_JUL = java.util.logging.Logger.getLogger("ml.dmlc");

    /**
     * No INFO lines from DJL in the workers (rank 0 speaks for all), and no log from xgboost4j's
     * tracker thread: when a rank dies it logs the native error with its backtrace, after our
     * own one-line message. Its logger goes through commons-logging to slf4j or java.util.logging.
     */
    public static void quietLogs() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (System.getProperty("org.slf4j.simpleLogger.log.ml.dmlc") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.ml.dmlc", "off");
        }
        XGBOOST_JUL.setLevel(java.util.logging.Level.OFF);
    }

    private static volatile Thread watchdog;

    /**
     * A worker started by torchrun ends itself when its launcher is gone (killed with SIGKILL, so it
     * could not stop its workers): a daemon thread polls the launcher's PID every 200 ms.
     */
    public static synchronized void watchLauncher() {
        String pid = System.getenv(LAUNCHER_PID_ENV);
        if (watchdog != null || pid == null || pid.isBlank()) {
            return;
        }
        long launcher;
        try {
            launcher = Long.parseLong(pid.strip());
        } catch (NumberFormatException e) {
            return;
        }
        java.util.Optional<ProcessHandle> h = ProcessHandle.of(launcher);
        Thread t = new Thread(() -> {
            while (h.isPresent() && h.get().isAlive()) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("error: the torchrun launcher (PID " + launcher + ") is gone; rank "
                    + System.getenv("RANK") + " stops. The last checkpoint is intact; restart the run with "
                    + "--init_from=resume.");
            System.err.flush();
            Runtime.getRuntime().halt(3);
        }, "torchrun-watchdog");
        t.setDaemon(true);
        t.start();
        watchdog = t;
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

package gptkit.ddp;

import ml.dmlc.xgboost4j.java.Communicator;
import ml.dmlc.xgboost4j.java.RabitTracker;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * All-reduce across processes with XGBoost's collective: the launcher runs a RabitTracker, every
 * rank connects to it at MASTER_ADDR:MASTER_PORT, and the sums travel over TCP in a ring (C++ code
 * from Maven Central's xgboost4j jar; we write no socket code). Every call has a deadline, so a
 * rank that died or hangs ends the others with an error instead of a hang.
 */
public final class XGBoostCollective implements Collective {
    private final int rank;
    private final int worldSize;
    private final int timeoutSec;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ddp-allreduce");
        t.setDaemon(true); // a call stuck in native code must not keep the JVM alive
        return t;
    });
    private long count;
    private double seconds;

    static {
        DdpEnv.quietLogs(); // no native backtraces from the tracker thread
        NativeLib.load(); // one extracted copy per user instead of a temp copy per process
    }

    private XGBoostCollective(int rank, int worldSize, int timeoutSec) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeoutSec = timeoutSec;
    }

    /** The rendezvous point the ranks connect to, run by the launcher of node 0. */
    public record Tracker(RabitTracker tracker, String host, int port) implements AutoCloseable {
        @Override
        public void close() {
            try {
                tracker.stop();
            } catch (XGBoostError e) {
                // it complains when ranks died before saying goodbye; the launcher reports that
            }
        }
    }

    /**
     * Starts a tracker for worldSize ranks on host. XGBoost 2.1.4 picks the port itself (the
     * port argument is not honoured), so the ranks learn it from the launcher as MASTER_PORT.
     */
    public static Tracker startTracker(int worldSize, String host, int timeoutSec) {
        try {
            RabitTracker t = new RabitTracker(worldSize, host, 0, timeoutSec);
            if (!t.start()) {
                throw new IllegalStateException("could not start the DDP tracker on " + host);
            }
            Map<String, Object> args = t.getWorkerArgs();
            return new Tracker(t, String.valueOf(args.get("dmlc_tracker_uri")),
                    ((Number) args.get("dmlc_tracker_port")).intValue());
        } catch (XGBoostError e) {
            throw new IllegalStateException("could not start the DDP tracker on " + host + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    /** Joins the group at the tracker; fails with a clear error after timeoutSec. */
    public static XGBoostCollective connect(int rank, int worldSize, String masterAddr, int masterPort,
                                            int timeoutSec) {
        TrackerProbe.check(masterAddr, masterPort, rank, timeoutSec); // fail fast when something else answers there
        XGBoostCollective c = new XGBoostCollective(rank, worldSize, timeoutSec);
        Map<String, Object> args = new HashMap<>();
        args.put("dmlc_communicator", "rabit");
        args.put("dmlc_tracker_uri", masterAddr);
        args.put("dmlc_tracker_port", masterPort);
        args.put("dmlc_task_id", String.format("%08d", rank)); // ranks assigned in task-id order
        args.put("dmlc_timeout", timeoutSec);
        args.put("dmlc_retry", 30);
        c.call("connect to rank 0 at " + masterAddr + ":" + masterPort, () -> {
            Communicator.init(args);
            return null;
        });
        int got = c.call("read the rank", Communicator::getRank);
        int gotWorld = c.call("read the world size", Communicator::getWorldSize);
        if (gotWorld != worldSize) {
            c.abandon();
            throw new IllegalStateException(String.format("WORLD_SIZE mismatch: this process has WORLD_SIZE=%d but "
                    + "the group at %s:%d has %d processes. Give every process the same WORLD_SIZE (torchrun does).",
                    worldSize, masterAddr, masterPort, gotWorld));
        }
        if (got != rank) {
            c.abandon();
            throw new IllegalStateException("the collective gave rank " + got + " to RANK=" + rank
                    + ": check that every process has a different RANK and the same WORLD_SIZE");
        }
        return c;
    }

    private <T> T call(String what, Callable<T> body) {
        Future<T> f = worker.submit(body);
        try {
            return f.get(timeoutSec, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new DdpException(String.format("rank %d: could not %s within %d s: another rank died, hangs, "
                    + "or cannot reach this one. Stopping.", rank, what, timeoutSec));
        } catch (ExecutionException e) {
            throw new DdpException(String.format("rank %d: could not %s: %s. Another rank probably died; stopping.",
                    rank, what, firstLine(e.getCause().getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DdpException("rank " + rank + ": interrupted while trying to " + what);
        }
    }

    /**
     * The first line of an XGBoost error, without the native backtrace ("Stack trace: [bt] (0) ...")
     * and the timestamp and source location dmlc puts before it.
     */
    static String firstLine(String msg) {
        if (msg == null) {
            return "unknown error";
        }
        String m = msg;
        int st = m.indexOf("Stack trace:");
        if (st >= 0) {
            m = m.substring(0, st);
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl).strip();
        }
        // "[12:34:56] /workspace/src/collective/...cc:123: actual text"
        m = m.replaceFirst("^\\[[0-9:]+\\]\\s+\\S+:\\d+:\\s*", "");
        return m.isEmpty() ? "unknown error" : m;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public void allReduceSum(float[] data) {
        long t0 = System.nanoTime();
        // xgboost4j's allReduce does not check its native return code: when a rank has died it
        // hands back this rank's own numbers as if they were the sum. A trailing 1 per rank tells.
        float[] buf = java.util.Arrays.copyOf(data, data.length + 1);
        buf[data.length] = 1f;
        float[] sum = call("all-reduce " + data.length + " gradients",
                () -> Communicator.allReduce(buf, Communicator.OpType.SUM));
        if (sum[data.length] != worldSize) {
            throw new DdpException(String.format("rank %d: the all-reduce failed (%.0f of %d ranks took part): "
                    + "another rank died or cannot be reached. Stopping.", rank, sum[data.length], worldSize));
        }
        System.arraycopy(sum, 0, data, 0, data.length);
        count++;
        seconds += (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public long allReduceCount() {
        return count;
    }

    @Override
    public double allReduceSeconds() {
        return seconds;
    }

    /** Leaves a group we refuse to train in, quietly and within 2 s (the error says why). */
    private void abandon() {
        Future<Object> f = worker.submit(() -> {
            Communicator.shutdown();
            return null;
        });
        try {
            f.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the process ends with the error anyway
        } finally {
            worker.shutdownNow();
        }
    }

    @Override
    public void close() {
        try {
            call("leave the group", () -> {
                Communicator.shutdown();
                return null;
            });
        } catch (DdpException e) {
            System.err.println("ddp: " + e.getMessage());
        } finally {
            worker.shutdownNow();
        }
    }
}

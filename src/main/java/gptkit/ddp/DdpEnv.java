package gptkit.ddp;

/** DistributedDataParallel's setup in train.py: which rank am I, from torchrun's variables. */
public final class DdpEnv {
    private DdpEnv() {}

    /** The launcher's PID, set by torchrun in every worker's environment. */
    public static final String LAUNCHER_PID_ENV = "GPTKIT_TORCHRUN_PID";

    /** The process group from torchrun's variables; a single process when WORLD_SIZE is unset or 1. */
    public static Collective fromEnv(int timeoutSec) {
        watchLauncher();
        Heartbeat.start();
        quietLogs();
        String ws = System.getenv("WORLD_SIZE");
        if (ws == null || ws.isBlank()) {
            if (System.getenv("RANK") != null && !System.getenv("RANK").isBlank() && !System.getenv("RANK").equals("0")) {
                throw new IllegalArgumentException("RANK=" + System.getenv("RANK") + " is set but WORLD_SIZE is not: "
                        + "set WORLD_SIZE to the number of processes on every rank (or start them with "
                        + "`./gptkit torchrun --nproc-per-node=N ...`).");
            }
            return new SingleProcess();
        }
        int world = intVar("WORLD_SIZE", ws, 1);
        int rank = System.getenv("RANK") == null && world == 1 ? 0 : intVar("RANK", require("RANK"), 0);
        if (rank >= world) {
            throw new IllegalArgumentException("RANK=" + rank + " but WORLD_SIZE=" + world + ": ranks run from 0 to "
                    + (world - 1) + ". Give every process a different RANK below WORLD_SIZE (torchrun does it for you).");
        }
        if (world == 1) {
            return new SingleProcess();
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
}

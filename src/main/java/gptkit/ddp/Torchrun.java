package gptkit.ddp;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * torchrun for gptkit: starts nproc_per_node worker JVMs on this host, each with RANK,
 * LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, running the given gptkit command.
 * Node 0's launcher also runs the tracker the ranks meet at. On several hosts run it once per
 * host with --nnodes and --node-rank; node 0 prints the address the others need.
 * If a worker fails, the others are stopped and the exit code is the failed worker's.
 */
public final class Torchrun {
    private Torchrun() {}

    /**
     * libgomp's spin count for the workers unless the user set GOMP_SPINCOUNT or OMP_WAIT_POLICY: the
     * same default as ./gptkit (scripts/java-flags.sh, README "Speed"). Ranks sharing a host are each
     * other's competition; spinning OpenMP threads would take the cores from the ranks with work.
     */
    static final String GOMP_SPINCOUNT = "1000";

    /** Launches and waits; returns the exit code. */
    public static int launch(int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort,
                             List<String> command, int graceSec, int timeoutSec, int silenceSec) throws Exception {
        if (nprocPerNode < 1 || nnodes < 1 || nodeRank < 0 || nodeRank >= nnodes) {
            throw new IllegalArgumentException("need nproc-per-node >= 1, nnodes >= 1 and 0 <= node-rank < nnodes");
        }
        if (silenceSec < 1 || graceSec < 0 || timeoutSec < 1) {
            throw new IllegalArgumentException("torchrun needs --silence >= 1, --grace >= 0 and --timeout >= 1 (seconds); got "
                    + "--silence=" + silenceSec + " --grace=" + graceSec + " --timeout=" + timeoutSec);
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("torchrun needs a command to run, e.g. train shakespeare_char_cpu");
        }
        int world = nprocPerNode * nnodes;
        if (nodeRank == 0 && masterPort > 0) {
            throw new IllegalArgumentException("--master-port=" + masterPort + " cannot be honoured on node 0: "
                    + "XGBoost 2.1.4's tracker picks its port itself. Leave --master-port out on node 0; it prints "
                    + "the port that the other nodes give as --master-port.");
        }
        DdpEnv.quietLogs(); // the tracker's INFO lines too
        XGBoostCollective.Tracker tracker = null;
        if (nodeRank == 0) {
            tracker = XGBoostCollective.startTracker(world, masterAddr, timeoutSec);
            masterPort = tracker.port();
            if (nnodes > 1) {
                System.err.printf("torchrun: DDP tracker at %s:%d. On node k of the other hosts run:%n"
                        + "  ./gptkit torchrun --nnodes=%d --node-rank=k --nproc-per-node=%d --master-addr=%s "
                        + "--master-port=%d %s%n", masterAddr, masterPort, nnodes, nprocPerNode, masterAddr,
                        masterPort, String.join(" ", command));
            }
        } else if (masterPort <= 0) {
            throw new IllegalArgumentException("--node-rank > 0 needs --master-port: the port node 0's torchrun printed");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> jvm = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        jvm.removeIf(a -> a.startsWith("-agentlib") || a.startsWith("-javaagent"));
        if (jvm.stream().noneMatch(a -> a.startsWith("-Dorg.slf4j.simpleLogger.defaultLogLevel="))) {
            jvm.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"); // no DJL INFO lines from the workers
        }
        List<Process> procs = new ArrayList<>();
        Path beats = Files.createTempDirectory("gptkit-torchrun-"); // Heartbeat's files
        // SIGTERM or SIGINT (Ctrl-C) to the launcher: stop the workers too (SIGKILL cannot be caught: the
        // workers watch the launcher's PID, GPTKIT_TORCHRUN_PID, and end themselves)
        Thread stopWorkers = new Thread(() -> stopAll(procs, 3), "torchrun-stop-workers");
        Runtime.getRuntime().addShutdownHook(stopWorkers);
        for (int local = 0; local < nprocPerNode; local++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(jvm);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("gptkit.cli.Main");
            cmd.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            Map<String, String> env = pb.environment();
            env.put("RANK", String.valueOf(nodeRank * nprocPerNode + local));
            env.put("LOCAL_RANK", String.valueOf(local));
            env.put("WORLD_SIZE", String.valueOf(world));
            env.put("LOCAL_WORLD_SIZE", String.valueOf(nprocPerNode));
            env.put("MASTER_ADDR", masterAddr);
            env.put("MASTER_PORT", String.valueOf(masterPort));
            env.put(DdpEnv.LAUNCHER_PID_ENV, String.valueOf(ProcessHandle.current().pid()));
            env.put(Heartbeat.DIR_ENV, beats.toString());
            // like torchrun: share the cores instead of every process using all of them
            env.putIfAbsent("OMP_NUM_THREADS",
                    String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / nprocPerNode)));
            if (!env.containsKey("GOMP_SPINCOUNT") && !env.containsKey("OMP_WAIT_POLICY")) {
                env.put("GOMP_SPINCOUNT", GOMP_SPINCOUNT);
            }
            synchronized (procs) {
                procs.add(pb.start());
            }
        }
        try {
            return supervise(procs, nodeRank * nprocPerNode, graceSec, beats, silenceSec);
        } finally {
            Heartbeat.removeStaleLocks(beats, nodeRank * nprocPerNode, nprocPerNode); // of workers it had to kill
            gptkit.files.SafeFiles.deleteTree(beats);
            try {
                Runtime.getRuntime().removeShutdownHook(stopWorkers);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs
            }
            if (tracker != null) {
                tracker.close();
            }
        }
    }

    /** SIGTERM to every live worker, then SIGKILL to those still alive after graceSec. */
    static void stopAll(List<Process> procs, int graceSec) {
        List<Process> live;
        synchronized (procs) {
            live = new ArrayList<>(procs);
        }
        live.removeIf(p -> !p.isAlive());
        if (live.isEmpty()) {
            return;
        }
        System.err.println("torchrun: stopping " + live.size() + " worker(s)");
        live.forEach(Process::destroy);
        long deadline = System.nanoTime() + graceSec * 1_000_000_000L;
        for (Process p : live) {
            try {
                p.waitFor(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                break;
            }
        }
        live.forEach(p -> {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        });
    }

    /**
     * Waits for all; after the first failure gives the others graceSec to stop, then kills them.
     * A rank silent for silenceSec (Heartbeat) is named and the group stopped at once: the others
     * would wait for it in all-reduce until ddp_timeout.
     */
    static int supervise(List<Process> procs, int firstRank, int graceSec, Path beats, int silenceSec)
            throws InterruptedException {
        long deadline = Long.MAX_VALUE;
        int failed = 0;
        long started = System.currentTimeMillis();
        while (true) {
            boolean allDone = true;
            for (int i = 0; i < procs.size(); i++) {
                Process p = procs.get(i);
                if (p.isAlive()) {
                    allDone = false;
                    long silent = Heartbeat.silentMs(beats, firstRank + i, started);
                    if (failed == 0 && silent > silenceSec * 1000L) {
                        System.err.printf("error: torchrun: rank %d (PID %d) has been silent for %d s, %s; the other "
                                + "ranks would wait for it in all-reduce until ddp_timeout. Stopping all ranks. The last "
                                + "checkpoint is intact: resume with --init_from=resume (torchrun's --silence=S waits "
                                + "longer).%n", firstRank + i, p.pid(), silent / 1000, Heartbeat.state(p.pid()));
                        failed = 3;
                        deadline = 0; // kill now: a stopped process does not act on SIGTERM
                    }
                } else if (p.exitValue() != 0 && failed == 0) {
                    failed = p.exitValue();
                    System.err.printf("torchrun: rank %d exited with code %d; stopping the other ranks%n",
                            firstRank + i, failed);
                    deadline = System.currentTimeMillis() + graceSec * 1000L;
                }
            }
            if (allDone) {
                return failed;
            }
            if (System.currentTimeMillis() > deadline) {
                procs.forEach(Process::destroyForcibly);
                for (Process p : procs) {
                    p.waitFor();
                }
                return failed;
            }
            Thread.sleep(100);
        }
    }
}

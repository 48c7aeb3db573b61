package gptkit.reliability;

import gptkit.TinyCorpus;
import gptkit.config.TrainConfig;
import gptkit.ddp.DdpException;
import gptkit.ddp.XGBoostCollective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10, cases 3 (signals to torchrun) and 8 (DDP set-up mistakes). */
class DdpReliabilityTest {
    /** torchrun with two ranks training for a long time; returns once rank 0 logs iterations. */
    static Process longTorchrun(Path out, StringBuilder log, String... torchrunFlags) throws Exception {
        TrainConfig c = TinyCorpus.config(out);
        c.dropout = 0;
        c.max_iters = 1_000_000;
        c.eval_interval = 1_000_000;
        c.ddp_timeout = 60;
        List<String> args = new ArrayList<>(List.of("torchrun", "--nproc-per-node=2", "--timeout=60"));
        args.addAll(List.of(torchrunFlags));
        args.addAll(List.of("train", "default"));
        c.toMap().forEach((k, v) -> args.add("--" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(Cli.command(args.toArray(new String[0]))).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = r.readLine()) != null) {
            log.append(line).append('\n');
            if (line.startsWith("iter 3:")) {
                break;
            }
        }
        Thread drain = new Thread(() -> {
            try {
                r.lines().forEach(l -> {
                    synchronized (log) {
                        log.append(l).append('\n');
                    }
                });
            } catch (java.io.UncheckedIOException e) {
                // Process.destroy closes the launcher's output under this reader ("Stream closed"): its log ends
                // there. Uncaught, it printed a stack trace from a passing test.
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    static void assertAllGoneWithin5s(Process launcher, boolean kill, StringBuilder log) throws Exception {
        List<ProcessHandle> workers = launcher.children().toList();
        if (workers.size() != 2) {
            stop(launcher);
        }
        assertEquals(2, workers.size(), "two workers running:\n" + log);
        long t0 = System.nanoTime();
        if (kill) {
            launcher.destroyForcibly(); // SIGKILL: no shutdown hook runs
        } else {
            launcher.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the launcher's shutdown hook
        }
        try {
            for (ProcessHandle w : workers) {
                long left = 5_000_000_000L - (System.nanoTime() - t0);
                try {
                    w.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // checked below
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            for (ProcessHandle w : workers) {
                assertFalse(w.isAlive(), "worker " + w.pid() + " still alive " + secs + " s after the launcher got "
                        + (kill ? "SIGKILL" : "SIGTERM") + ":\n" + log);
            }
            assertTrue(launcher.waitFor(5, TimeUnit.SECONDS));
        } finally {
            workers.forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
        assertFalse(log.toString().contains(" INFO "), "no INFO lines from the workers:\n" + log);
    }

    /** Never leave a launcher or its workers behind, whatever the test's outcome. */
    static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    // case 3
    @Test
    void sigtermToTheLauncherEndsItsWorkers(@TempDir Path out) throws Exception {
        StringBuilder log = new StringBuilder();
        Process p = longTorchrun(out, log);
        try {
            assertAllGoneWithin5s(p, false, log);
        } finally {
            stop(p);
        }
    }

    @Test
    void workersEndThemselvesWhenTheLauncherIsKilled(@TempDir Path out) throws Exception {
        StringBuilder log = new StringBuilder();
        Process p = longTorchrun(out, log);
        try {
            assertAllGoneWithin5s(p, true, log);
        } finally {
            stop(p);
        }
    }

    /**
     * A rank stopped with SIGSTOP (Ctrl-Z, a debugger) no longer beats: torchrun names it within
     * --silence seconds and stops the group, instead of every rank waiting in all-reduce until
     * ddp_timeout (630 s with the defaults), and removes the out_dir lock the stopped rank 0 held.
     */
    @Test
    void aStoppedRankIsNamedAndItsLockRemoved(@TempDir Path out) throws Exception {
        StringBuilder log = new StringBuilder();
        Process p = longTorchrun(out, log, "--silence=5");
        try {
            Path lock = out.resolve(gptkit.outdir.OutDirLock.FILE_NAME);
            long rank0 = Long.parseLong(java.nio.file.Files.readString(lock).strip()); // rank 0 holds out_dir's lock
            assertEquals(0, new ProcessBuilder("kill", "-STOP", String.valueOf(rank0)).start().waitFor());
            long t0 = System.nanoTime();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "torchrun still waits 30 s after rank 0 stopped:\n" + log);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(secs >= 4, "named after " + secs + " s, before --silence=5 had passed:\n" + log);
            assertEquals(3, p.exitValue(), log.toString());
            Thread.sleep(200); // the drain thread reads the last lines
            String text;
            synchronized (log) {
                text = log.toString();
            }
            assertTrue(text.contains("error: torchrun: rank 0 (PID " + rank0 + ") has been silent for ")
                    && text.contains("stopped (SIGSTOP or Ctrl-Z)"), text);
            assertFalse(java.nio.file.Files.exists(lock), "rank 0's lock is left behind:\n" + text);
            assertFalse(ProcessHandle.of(rank0).map(ProcessHandle::isAlive).orElse(false), "rank 0 still there");
        } finally {
            stop(p);
        }
    }

    // case 8
    @Test
    void badTorchrunVariablesAreNamed(@TempDir Path out) throws Exception {
        String[] train = Cli.trainArgs(out);
        String e = Cli.spawn(Map.of("WORLD_SIZE", "abc"), 60, train).oneLineError();
        assertTrue(e.contains("WORLD_SIZE=abc") && e.contains("not a number"), e);
        e = Cli.spawn(Map.of("WORLD_SIZE", "1", "RANK", "1"), 60, train).oneLineError();
        assertTrue(e.contains("RANK=1") && e.contains("WORLD_SIZE=1"), e);
        e = Cli.spawn(Map.of("WORLD_SIZE", "2", "RANK", "x", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "1"), 60, train)
                .oneLineError();
        assertTrue(e.contains("RANK=x"), e);
        e = Cli.spawn(Map.of("WORLD_SIZE", "2", "RANK", "1", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "http"), 60, train)
                .oneLineError();
        assertTrue(e.contains("MASTER_PORT=http"), e);
        assertFalse(Files.exists(out.resolve("ckpt.bin")));
    }

    @Test
    void aWorldSizeMismatchIsReportedAsSuch(@TempDir Path out) throws Exception {
        XGBoostCollective.Tracker tracker = XGBoostCollective.startTracker(2, "127.0.0.1", 60);
        try {
            Map<String, String> rank0 = Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_ADDR", "127.0.0.1",
                    "MASTER_PORT", String.valueOf(tracker.port()), "OMP_NUM_THREADS", "1");
            Map<String, String> rank1 = Map.of("WORLD_SIZE", "3", "RANK", "1", "MASTER_ADDR", "127.0.0.1",
                    "MASTER_PORT", String.valueOf(tracker.port()), "OMP_NUM_THREADS", "1");
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return Cli.spawn(rank0, 120, Cli.trainArgs(out.resolve("r0"), "--ddp_timeout=20"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            String e = Cli.spawn(rank1, 120, Cli.trainArgs(out.resolve("r1"), "--ddp_timeout=20")).oneLineError();
            assertTrue(e.contains("WORLD_SIZE mismatch") && e.contains("WORLD_SIZE=3") && e.contains("has 2 processes"), e);
            assertTrue(first.get(150, TimeUnit.SECONDS).code != 0, "the rank left alone fails too");
        } finally {
            tracker.close();
        }
    }

    @Test
    void aMasterPortOnNodeZeroIsRefusedWithTheReason(@TempDir Path out) {
        String e = Cli.run("torchrun", "--nproc-per-node=2", "--master-port=29500", "train", "default").oneLineError();
        assertTrue(e.contains("--master-port=29500") && e.contains("picks its port itself"), e);
    }

    @Test
    void aRankPointedAtSomethingElseFailsFast() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (ServerSocket silent = new ServerSocket(0); ServerSocket talker = new ServerSocket(0)) {
            pool.submit(() -> {
                try (Socket s = silent.accept()) { // accepts and says nothing, like many services
                    Thread.sleep(60_000);
                }
                return null;
            });
            pool.submit(() -> {
                try (Socket s = talker.accept()) {
                    OutputStream o = s.getOutputStream();
                    o.write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                    Thread.sleep(60_000);
                }
                return null;
            });
            for (ServerSocket s : new ServerSocket[] {silent, talker}) {
                long t0 = System.nanoTime();
                DdpException e = assertThrows(DdpException.class,
                        () -> XGBoostCollective.connect(1, 2, "127.0.0.1", s.getLocalPort(), 120));
                double secs = (System.nanoTime() - t0) / 1e9;
                assertTrue(e.getMessage().contains("not") && e.getMessage().contains("tracker")
                        && e.getMessage().contains("127.0.0.1:" + s.getLocalPort()), e.getMessage());
                assertTrue(secs < 10, "gave up after " + secs + " s, not ddp_timeout (120 s)");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void xgboostErrorsLoseTheirNativeBacktrace() throws Exception {
        String native_ = "[03:26:27] /workspace/src/collective/comm.cc:123: Failed to bootstrap the communication group.\n"
                + "- [socket.cc:161|03:26:27]: connect failed.\n"
                + "Stack trace:\n  [bt] (0) /tmp/libxgboost4j123.so(+0x1)\n  [bt] (1) /tmp/libxgboost4j123.so(+0x2)\n";
        var m = XGBoostCollective.class.getDeclaredMethod("firstLine", String.class);
        m.setAccessible(true);
        assertEquals("Failed to bootstrap the communication group.", m.invoke(null, native_));
    }

    @Test
    void xgboostsNativeLibraryIsNotCopiedIntoTheTempFolderPerProcess() throws Exception {
        XGBoostCollective.startTracker(1, "127.0.0.1", 5).close(); // native calls: libxgboost4j is loaded
        Path maps = Path.of("/proc/self/maps");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(maps), "Linux only");
        List<String> libs = Files.readAllLines(maps).stream().filter(l -> l.contains("libxgboost4j"))
                .map(l -> l.substring(l.indexOf('/'))).distinct().toList();
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "gptkit").toRealPath();
        assertEquals(1, libs.size(), libs.toString());
        assertTrue(Path.of(libs.get(0)).startsWith(cache), "loaded from the per-user copy, not a temp copy: " + libs);
    }
}

package gptkit.ddp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How torchrun tells a silent rank from a busy one. Each worker's daemon thread rewrites
 * rank-R in the folder GPTKIT_TORCHRUN_HEARTBEAT names every second, with its PID and the
 * out_dir lock it holds; a thread of its own keeps beating through a long evaluation or
 * all-reduce, and stops only when the whole process does (SIGSTOP, Ctrl-Z, a frozen machine).
 * The launcher reads the files' ages: a rank silent for torchrun's --silence seconds is named
 * and the group stopped, instead of every rank waiting in all-reduce until ddp_timeout; and
 * the lock of a rank it had to kill is removed.
 */
public final class Heartbeat {
    public static final String DIR_ENV = "GPTKIT_TORCHRUN_HEARTBEAT";
    private static Thread beating;
    private static volatile Path file; // this rank's file, once beating
    private static volatile Path lock; // the out_dir lock this process holds, for the launcher to clean up

    private Heartbeat() {}

    /** In a torchrun worker: starts beating (once per JVM). Elsewhere: nothing. */
    public static synchronized void start() {
        String dir = System.getenv(DIR_ENV);
        String rank = System.getenv("RANK");
        if (beating != null || dir == null || dir.isBlank() || rank == null) {
            return;
        }
        file = Path.of(dir, "rank-" + rank.strip());
        beating = new Thread(() -> {
            while (true) {
                write();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "torchrun-heartbeat");
        beating.setDaemon(true);
        beating.start();
    }

    /** The out_dir lock this process now holds (null: none): the launcher removes it if it must kill us. */
    public static void holding(Path lockFile) {
        lock = lockFile == null ? null : lockFile.toAbsolutePath();
        write(); // now, not at the next beat: the launcher may have to kill this process within the second
    }

    private static synchronized void write() {
        Path file = Heartbeat.file;
        if (file == null) {
            return; // not a torchrun worker
        }
        Path held = lock;
        byte[] text = (ProcessHandle.current().pid() + "\n" + (held == null ? "" : held) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try {
            gptkit.files.SafeFiles.writeAtomically(file, out -> out.write(text)); // the launcher never reads half a beat
        } catch (IOException e) {
            // the launcher's folder is gone: the launcher is too, and the watchdog ends this process
        }
    }

    /** Milliseconds since the rank's last beat, or since startedMs if it has not beaten yet. */
    static long silentMs(Path dir, int rank, long startedMs) {
        long last = startedMs;
        try {
            last = Math.max(last, Files.getLastModifiedTime(dir.resolve("rank-" + rank)).toMillis());
        } catch (IOException e) {
            // no beat yet: the JVM is still starting
        }
        return System.currentTimeMillis() - last;
    }

    /** "stopped (SIGSTOP or Ctrl-Z)" when Linux says the process is stopped, else "not responding". */
    static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            char s = stat.charAt(stat.lastIndexOf(')') + 2);
            return s == 'T' || s == 't' ? "stopped (SIGSTOP or Ctrl-Z)" : "not responding";
        } catch (IOException | RuntimeException e) {
            return "not responding";
        }
    }

    /** After the workers are gone: removes each out_dir lock that still names a dead worker's PID. */
    static void removeStaleLocks(Path dir, int firstRank, int ranks) {
        for (int r = firstRank; r < firstRank + ranks; r++) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("rank-" + r), StandardCharsets.UTF_8);
                if (lines.size() < 2 || lines.get(1).isBlank()) {
                    continue;
                }
                long pid = Long.parseLong(lines.get(0).strip());
                Path lockFile = Path.of(lines.get(1).strip());
                boolean dead = ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
                if (dead && Files.exists(lockFile) && Files.readString(lockFile).strip().equals(String.valueOf(pid))) {
                    Files.delete(lockFile);
                    System.err.println("torchrun: removed " + lockFile + ", left by rank " + r + " (PID " + pid + ")");
                }
            } catch (IOException | RuntimeException e) {
                // no beat from that rank, or its lock is someone else's now: leave it
            }
        }
    }
}

package gptkit.train;

import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * libtorch's CPU thread count, adapted while a run trains (README, "Speed"): all threads on a quiet
 * machine, fewer while other programs keep cores busy, all again when they stop. {@link ThreadPolicy}
 * decides; this class measures, from Linux's /proc: the busy time of the cores this process may run
 * on (/proc/stat) less this process's own CPU time (/proc/self/stat) is what the other programs used.
 * Reading both costs microseconds; it happens after an optimizer step, about once a second.
 *
 * <p>libtorch's thread count (OpenMP's) belongs to the thread that sets it, so the training thread
 * calls {@link #stepped()} and {@link #close()}, which puts the count back as it found it. Off where
 * /proc cannot be read (macOS, Windows), on a GPU, in a DDP run (torchrun gives each process its
 * share of the cores already), with one thread, or with GPTKIT_ADAPT_THREADS=0.
 */
public final class ThreadGovernor implements AutoCloseable, TrainingListener {
    static final long WINDOW_NANOS = 1_000_000_000L;
    private static final AtomicInteger CHANGES = new AtomicInteger(); // in this process, for bench's report

    private final ThreadPolicy policy;
    private final BitSet cpus;
    private final PrintStream out;
    private final double ticksPerSecond;
    private long windowStart;
    private long busyAtStart;
    private long ownAtStart;

    private ThreadGovernor(ThreadPolicy policy, BitSet cpus, PrintStream out) throws IOException {
        this.policy = policy;
        this.cpus = cpus;
        this.out = out;
        this.ticksPerSecond = 100; // USER_HZ: /proc reports in 1/100 s on every Linux architecture in use
        if (policy != null) {
            startWindow(System.nanoTime());
        }
    }

    /** One that does nothing. */
    private static ThreadGovernor off() {
        try {
            return new ThreadGovernor(null, null, null);
        } catch (IOException e) {
            throw new AssertionError(e); // reads nothing without a policy
        }
    }

    /** A governor for a training run; one that does nothing where adapting does not apply. */
    public static ThreadGovernor forRun(boolean cpuDevice, int worldSize, PrintStream out) {
        if (!cpuDevice || worldSize != 1 || "0".equals(System.getenv("GPTKIT_ADAPT_THREADS"))) {
            return off();
        }
        try {
            BitSet cpus = allowedCpus(Files.readString(Path.of("/proc/self/status")));
            int threads = JniUtils.getNumThreads();
            if (threads < 2 || cpus.isEmpty()) {
                return off();
            }
            return new ThreadGovernor(new ThreadPolicy(threads, cpus.cardinality()), cpus, out);
        } catch (IOException | RuntimeException e) {
            return off(); // no /proc: run with the threads libtorch has
        }
    }

    /** As a listener of the run: at each iteration's end, and when it finishes. */
    @Override
    public void iteration(int iter, int maxIters, double msPerIter, double tokensPerSec) {
        stepped();
    }

    @Override
    public void finished() {
        close();
    }

    /** How many times a governor changed the thread count in this process. */
    public static int changes() {
        return CHANGES.get();
    }

    /** After an optimizer step, on the training thread: closes a window when a second has passed. */
    public void stepped() {
        long now = System.nanoTime();
        if (policy == null || now - windowStart < WINDOW_NANOS) {
            return;
        }
        double seconds = (now - windowStart) / 1e9;
        long busy;
        long own;
        try {
            busy = busyTicks(Files.readAllLines(Path.of("/proc/stat")), cpus);
            own = ownTicks(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return; // a read that failed once: try again next window
        }
        double others = ((busy - busyAtStart) - (own - ownAtStart)) / ticksPerSecond / seconds;
        windowStart = now;
        busyAtStart = busy;
        ownAtStart = own;
        int before = policy.threads();
        int after = policy.observe(others);
        if (after != before) {
            JniUtils.setNumThreads(after);
            CHANGES.incrementAndGet();
            if (after < before) {
                out.printf("cores look shared (other programs used %.1f of %d cores): %d -> %d threads%n",
                        others, cpus.cardinality(), before, after);
            } else {
                out.printf("cores look free again (other programs used %.1f of %d cores): back to %d threads%n",
                        others, cpus.cardinality(), after);
            }
        }
    }

    /** The run ended: libtorch's thread count back to what the run started with. */
    @Override
    public void close() {
        if (policy != null && policy.threads() != policy.maxThreads()) {
            JniUtils.setNumThreads(policy.maxThreads());
        }
    }

    private void startWindow(long now) throws IOException {
        windowStart = now;
        busyAtStart = busyTicks(Files.readAllLines(Path.of("/proc/stat")), cpus);
        ownAtStart = ownTicks(Files.readString(Path.of("/proc/self/stat")));
    }

    /** The CPUs of Cpus_allowed_list in /proc/self/status ("0-3,8,10-11"). */
    static BitSet allowedCpus(String status) {
        BitSet set = new BitSet();
        for (String line : status.split("\n")) {
            if (line.startsWith("Cpus_allowed_list:")) {
                for (String part : line.substring(line.indexOf(':') + 1).trim().split(",")) {
                    String[] range = part.trim().split("-");
                    int from = Integer.parseInt(range[0]);
                    int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                    set.set(from, to + 1);
                }
            }
        }
        return set;
    }

    /** Busy ticks (all but idle and iowait) of the given CPUs' "cpuN" lines of /proc/stat. */
    static long busyTicks(List<String> procStat, BitSet cpus) {
        long busy = 0;
        for (String line : procStat) {
            if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (!cpus.get(Integer.parseInt(f[0].substring(3)))) {
                continue;
            }
            // user nice system idle iowait irq softirq steal (guest time is inside user already)
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
        }
        return busy;
    }

    /** utime + stime of /proc/self/stat: every thread of this process. */
    static long ownTicks(String selfStat) {
        String[] f = selfStat.substring(selfStat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15, counted from state (3)
    }
}

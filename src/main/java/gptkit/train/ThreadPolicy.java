package gptkit.train;

/**
 * How many CPU threads libtorch should use, from how much of the cores other programs take: the
 * decision part of {@link ThreadGovernor}, with no clock and no native call, so a test can script it.
 *
 * <p>libtorch's OpenMP threads spin while they wait for work. On a quiet machine that is the fastest
 * way to run; next to a busy program, a spinning thread takes a core from the thread that has the
 * work, and a step gets several times slower. So with every core of ours in use and another program
 * wanting one, fewer threads are faster: the cores left over after the others' load, rounded.
 *
 * <p>Each window (about a second of wall time) brings the cores the other programs used on average
 * in it. A change needs two windows in a row that call for it, so one burst of another program (a
 * compile, a git command) changes nothing; fewer threads come when the free cores round below the
 * count in use (2 cores, 2 threads: others above 0.5 cores), more only when they are nearly free
 * again (2 cores, 1 thread: others below 0.25), so a load near a boundary does not flip it back and forth.
 */
public final class ThreadPolicy {
    static final double DOWN_MARGIN = 0.5; // fewer threads when free cores < threads - 0.5
    static final double UP_MARGIN = 0.75; // more threads when free cores > threads + 0.75
    static final int WINDOWS_TO_CHANGE = 2;

    private final int maxThreads;
    private final int cpus;
    private int threads;
    private int pendingDirection; // -1 fewer, +1 more, 0 none: what the previous window called for
    private int pendingThreads;

    /** maxThreads: the count to use on a quiet machine (libtorch's at start); cpus: the cores this process may run on. */
    public ThreadPolicy(int maxThreads, int cpus) {
        if (maxThreads < 1 || cpus < 1) {
            throw new IllegalArgumentException("maxThreads " + maxThreads + " and cpus " + cpus + " must be >= 1");
        }
        this.maxThreads = maxThreads;
        this.cpus = cpus;
        this.threads = maxThreads;
    }

    /** The thread count in use. */
    public int threads() {
        return threads;
    }

    public int maxThreads() {
        return maxThreads;
    }

    /**
     * One window: the cores other programs used on average in it (0 on a quiet machine, about 1 next
     * to one busy program). Returns the thread count to use from now on (threads() afterwards).
     */
    public int observe(double othersCores) {
        double free = cpus - Math.max(0, othersCores);
        int direction = 0;
        int wanted = threads;
        if (free < threads - DOWN_MARGIN && threads > 1) {
            direction = -1;
            wanted = Math.max(1, (int) Math.floor(free + DOWN_MARGIN));
        } else if (free > threads + UP_MARGIN && threads < maxThreads) {
            direction = +1;
            wanted = Math.min(maxThreads, (int) Math.floor(free + 1 - UP_MARGIN));
        }
        if (direction == 0) {
            pendingDirection = 0;
            return threads;
        }
        if (pendingDirection != direction) { // the first window that calls for it: wait for a second
            pendingDirection = direction;
            pendingThreads = wanted;
            return threads;
        }
        // the second in a row: the smaller change of the two, so a passing window does not overshoot
        threads = direction < 0 ? Math.max(wanted, pendingThreads) : Math.min(wanted, pendingThreads);
        pendingDirection = 0;
        return threads;
    }
}

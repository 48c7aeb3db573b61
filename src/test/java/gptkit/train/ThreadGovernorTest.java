package gptkit.train;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ThreadGovernor's decisions (ThreadPolicy) on scripted windows: the cores other programs used in
 * each second, as /proc would report them; and its readings of /proc's formats. No clock, no libtorch.
 */
class ThreadGovernorTest {
    /** The thread count after each window. */
    static int[] run(ThreadPolicy policy, double... others) {
        int[] threads = new int[others.length];
        for (int i = 0; i < others.length; i++) {
            threads[i] = policy.observe(others[i]);
        }
        return threads;
    }

    @Test
    void quietMachineKeepsEveryThread() {
        assertArrayEquals(new int[] {2, 2, 2, 2, 2}, run(new ThreadPolicy(2, 2), 0.0, 0.02, 0.1, 0.3, 0.0));
    }

    @Test
    void oneBusyProgramTakesAThreadUntilItStops() {
        // a `yes` starts: next to 2 spinning threads it gets about 0.7 of a core, then a whole one at 1 thread
        int[] threads = run(new ThreadPolicy(2, 2), 0.0, 0.7, 0.66, 1.0, 0.98, 1.0, 0.02, 0.0, 0.0);
        assertArrayEquals(new int[] {2, 2, 1, 1, 1, 1, 1, 2, 2}, threads);
    }

    @Test
    void oneBusyWindowChangesNothing() {
        // a compile or a git command for a second: no change, and the count of windows starts again
        assertArrayEquals(new int[] {2, 2, 2, 2, 2}, run(new ThreadPolicy(2, 2), 0.9, 0.0, 0.9, 0.1, 0.9));
        ThreadPolicy one = new ThreadPolicy(2, 2);
        run(one, 1.0, 1.0);
        assertArrayEquals(new int[] {1, 1, 1, 1}, run(one, 0.0, 1.0, 0.0, 1.0));
    }

    @Test
    void aLoadNearTheBoundaryDoesNotFlipBackAndForth() {
        // 0.4 of a core used by others: not enough to leave 2 threads, not little enough to come back from 1
        assertArrayEquals(new int[] {2, 2, 2, 2}, run(new ThreadPolicy(2, 2), 0.4, 0.45, 0.4, 0.45));
        ThreadPolicy one = new ThreadPolicy(2, 2);
        run(one, 0.8, 0.8);
        assertArrayEquals(new int[] {1, 1, 1, 1}, run(one, 0.4, 0.3, 0.4, 0.3));
        assertArrayEquals(new int[] {1, 2}, run(one, 0.2, 0.2));
    }

    @Test
    void manyCoresLeaveWhatTheOthersDoNotUse() {
        ThreadPolicy p = new ThreadPolicy(8, 8);
        assertArrayEquals(new int[] {8, 5, 5}, run(p, 3.2, 3.1, 3.0)); // 4.8 free: 5 threads
        assertArrayEquals(new int[] {5, 7}, run(p, 0.0, 1.0)); // the smaller of the two windows' steps up
        assertArrayEquals(new int[] {7, 8}, run(p, 0.0, 0.0));
        assertArrayEquals(new int[] {8, 1}, run(p, 9.0, 8.0)); // never below one thread
    }

    @Test
    void neverMoreThanTheStartingCountNorFewerThanOne() {
        // OMP_NUM_THREADS=2 on 4 cores: a quiet machine does not raise it; others on all 4 leave 1
        ThreadPolicy p = new ThreadPolicy(2, 4);
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 1}, run(p, 0.0, 0.0, 2.0, 0.0, 4.0, 4.0));
        assertEquals(2, p.maxThreads());
    }

    @Test
    void readsProcFormats() {
        BitSet cpus = ThreadGovernor.allowedCpus("Name:\tjava\nCpus_allowed:\tf0f\nCpus_allowed_list:\t0-3,8,10-11\nMems_allowed_list:\t0\n");
        assertEquals("{0, 1, 2, 3, 8, 10, 11}", cpus.toString());
        List<String> stat = List.of("cpu  100 100 100 100 100 100 100 100 0 0",
                "cpu0 1 2 4 1000 2000 8 16 32 64 0", // busy: user nice system irq softirq steal = 63
                "cpu1 100 200 400 1000 2000 800 1600 3200 0 0", "cpu10 5 0 0 0 0 0 0 0 0 0", "intr 1 2 3");
        BitSet zeroAndTen = new BitSet();
        zeroAndTen.set(0);
        zeroAndTen.set(10);
        assertEquals(63 + 5, ThreadGovernor.busyTicks(stat, zeroAndTen));
        // a command name with spaces and a ')' in it; utime 1234, stime 56
        String self = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 56 0 0 20 0 30 0 100";
        assertEquals(1234 + 56, ThreadGovernor.ownTicks(self));
    }
}

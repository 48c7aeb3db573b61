package gptkit.engine;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** PeakMemory reads VmHWM from /proc/self/status: parsing, and the real value on Linux. */
class PeakMemoryTest {
    static final String STATUS = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmSize:\t 8000000 kB\n"
            + "VmHWM:\t  649216 kB\nVmRSS:\t  612000 kB\nThreads:\t42\n";

    @Test
    void parsesKilobytesIntoBytes() {
        assertEquals(649216L * 1024, PeakMemory.parse(STATUS, "VmHWM"));
        assertEquals(612000L * 1024, PeakMemory.parse(STATUS, "VmRSS"));
        assertEquals(-1, PeakMemory.parse(STATUS, "VmSwap"));
        assertEquals(-1, PeakMemory.parse("", "VmHWM"));
    }

    @Test
    void missingFileIsMinusOne() {
        assertEquals(-1, PeakMemory.statusField(Path.of("/no/such/status"), "VmHWM"));
    }

    @Test
    void peakCoversWhatThisJvmTouches() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux only");
        long before = PeakMemory.peakRssBytes();
        assertTrue(before > 10L << 20, "a JVM holds more than 10 MiB: " + before);
        byte[] block = new byte[64 << 20];
        for (int i = 0; i < block.length; i += 4096) {
            block[i] = 1; // touch every page so it becomes resident
        }
        long after = PeakMemory.peakRssBytes();
        // VmHWM is max(the recorded high-water mark, the current RSS), and since Linux 6.2 the current RSS is read
        // from per-CPU counters without summing them (percpu_counter_read_positive): each of the three RSS counters
        // may be off by up to the counter batch, max(32, 2 x CPUs) pages, per CPU. So two reads of VmHWM may fall
        // by that much (seen once in CI on 2 CPUs), never by more.
        int cpus = Runtime.getRuntime().availableProcessors();
        long counterError = 3L * cpus * Math.max(32, 2 * cpus) * 4096;
        assertTrue(after >= before - counterError, String.format("a high-water mark falls by no more than the "
                + "kernel's counter error: %,d bytes before, %,d after, error up to %,d", before, after, counterError));
        assertTrue(after >= (64L << 20), "the 64 MiB just touched are under the peak: " + after);
        assertTrue(after >= PeakMemory.rssBytes() - (1 << 20), "peak >= current");
        assertTrue(PeakMemory.describe().matches("peak RSS [0-9,]+ MiB"), PeakMemory.describe());
        assertEquals(1, block[block.length - 4096]);
    }
}

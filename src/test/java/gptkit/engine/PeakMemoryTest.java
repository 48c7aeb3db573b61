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
        assertTrue(after >= before, "a high-water mark never falls");
        assertTrue(after >= PeakMemory.rssBytes() - (1 << 20), "peak >= current");
        assertTrue(PeakMemory.describe().matches("peak RSS [0-9,]+ MiB"), PeakMemory.describe());
        assertEquals(1, block[block.length - 4096]);
    }
}

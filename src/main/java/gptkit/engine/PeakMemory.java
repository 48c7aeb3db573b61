package gptkit.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process: what `/usr/bin/time -v` calls "Maximum resident set size",
 * read from {@code /proc/self/status} (VmHWM, the high-water mark of VmRSS). It counts everything the
 * process holds: the Java heap that was touched, libtorch's native tensors, the JVM and libtorch code.
 * Linux only; elsewhere {@link #peakRssBytes()} is -1.
 */
public final class PeakMemory {
    private PeakMemory() {}

    /** The process's peak resident set size in bytes, or -1 where /proc/self/status is absent. */
    public static long peakRssBytes() {
        return statusField(Path.of("/proc/self/status"), "VmHWM");
    }

    /** The process's resident set size now in bytes, or -1 where /proc/self/status is absent. */
    public static long rssBytes() {
        return statusField(Path.of("/proc/self/status"), "VmRSS");
    }

    /** "peak RSS 634 MiB", or "peak RSS unknown" off Linux: a line for the end of a run. */
    public static String describe() {
        long b = peakRssBytes();
        return b < 0 ? "peak RSS unknown" : String.format("peak RSS %,d MiB", b >> 20);
    }

    static long statusField(Path status, String field) {
        try {
            return parse(Files.readString(status, StandardCharsets.ISO_8859_1), field);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The value of "field:   N kB" in a /proc/PID/status text, in bytes; -1 when absent. */
    static long parse(String statusText, String field) {
        for (String line : statusText.split("\n")) {
            if (line.startsWith(field + ":")) {
                String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                long n = Long.parseLong(parts[0]);
                return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? n * 1024 : n;
            }
        }
        return -1;
    }
}

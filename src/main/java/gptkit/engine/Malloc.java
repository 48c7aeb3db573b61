package gptkit.engine;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import java.util.Map;

/**
 * glibc's malloc, set so that libtorch's freed tensors stay in the process for the next step.
 *
 * <p>Why: a training step frees and allocates the same activations again and again. PyTorch runs
 * them on the process's main thread, in malloc's main arena, where glibc's adaptive thresholds
 * soon keep freed blocks. A JVM runs them on a thread of its own, in another arena, which glibc
 * hands back to the kernel on every trim (madvise(MADV_DONTNEED)); each new tensor then faults
 * its pages in again and the kernel zeroes them. Measured on the small model: about 4,000 page
 * faults per step, and backward 30 ms instead of 20 (README, "Speed").
 *
 * <p>So: blocks up to 32 MiB (malloc's largest mmap threshold) come from the arenas, a freed top
 * of an arena is kept up to 512 MiB, and an arena grows 64 MiB at a time (so the larger model's
 * activations, which spill over one 64 MiB arena heap, do not map and unmap heaps each step). That is mallopt, once per process, on glibc only (macOS
 * and musl have their own allocators, untouched). The user's own choice wins: with
 * MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_ or a glibc.malloc tunable in GLIBC_TUNABLES set,
 * nothing is changed.
 */
public final class Malloc {
    static final int M_TRIM_THRESHOLD = -1; // glibc's malloc.h
    static final int M_TOP_PAD = -2;
    static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD = 32 << 20; // DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: mallopt refuses more
    static final int TRIM_THRESHOLD = 512 << 20;
    static final int TOP_PAD = 64 << 20;

    private static String applied;

    private Malloc() {}

    /** Sets the thresholds once; returns what was done, in words (for a log line or a test). */
    public static synchronized String keepFreedMemory() {
        if (applied == null) {
            applied = apply(System.getenv());
        }
        return applied;
    }

    static String apply(Map<String, String> env) {
        String own = usersChoice(env);
        if (own != null) {
            return "left as set: " + own;
        }
        NativeLibrary libc;
        try {
            libc = NativeLibrary.getInstance("c");
            libc.getFunction("gnu_get_libc_version"); // only glibc has it
        } catch (UnsatisfiedLinkError | RuntimeException notGlibc) {
            return "not glibc: left as it is";
        }
        Function mallopt = libc.getFunction("mallopt");
        boolean ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD}) == 1
                & mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD}) == 1
                & mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD}) == 1;
        return ok ? "mmap threshold 32 MiB, trim threshold 512 MiB, top pad 64 MiB" : "mallopt refused: left as it is";
    }

    /** The variable the user set to steer malloc, or null. */
    static String usersChoice(Map<String, String> env) {
        for (String key : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"}) {
            if (env.containsKey(key)) {
                return key;
            }
        }
        String tunables = env.get("GLIBC_TUNABLES");
        return tunables != null && tunables.contains("glibc.malloc.") ? "GLIBC_TUNABLES" : null;
    }
}

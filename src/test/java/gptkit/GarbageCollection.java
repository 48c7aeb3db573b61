package gptkit;

import java.lang.reflect.Method;

/**
 * A garbage collection whose cleaners have run when it returns. DJL wraps a Java number in a
 * direct ByteBuffer that libtorch borrows; the collector frees that buffer only when the JDK's
 * Reference Handler thread runs the buffer's cleaner, some time after System.gc() returns. A test
 * that looks for the DJL trap (backward reading freed memory) must wait for that, or it catches
 * the trap only when the cleaner happens to be quick: a check that passes a wrong answer at random.
 * The wait is the one the JDK itself uses before it gives up on direct memory (java.nio.Bits):
 * Reference.waitForReferenceProcessing, reached with --add-opens java.base/java.lang.ref (pom.xml).
 */
public final class GarbageCollection {
    private static final Method WAIT = waitMethod();

    private GarbageCollection() {}

    /** Collects garbage and returns once every reference found by that collection has been processed. */
    public static void collect() {
        System.gc();
        if (WAIT == null) {
            throw new IllegalStateException("cannot wait for the JDK's cleaners: run the JVM with "
                    + "--add-opens java.base/java.lang.ref=ALL-UNNAMED (pom.xml's surefire argLine has it)");
        }
        try {
            while ((Boolean) WAIT.invoke(null)) {
                // each call waits for progress; false: nothing pending and the handler is idle
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("waiting for the JDK's cleaners failed", e);
        }
    }

    private static Method waitMethod() {
        try {
            Method m = Class.forName("java.lang.ref.Reference").getDeclaredMethod("waitForReferenceProcessing");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}

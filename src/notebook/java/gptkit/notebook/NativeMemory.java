package gptkit.notebook;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;

/**
 * How many bytes native code (libtorch on the CPU) holds right now, from glibc's mallinfo2():
 * the notebooks use it to measure the memory the autograd graph of a forward pass keeps alive.
 * Linux with glibc 2.33 or newer only; elsewhere {@link #available()} is false.
 */
public final class NativeMemory {
    private NativeMemory() {}

    /** glibc's struct mallinfo2: ten size_t fields. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost"})
    public static class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    interface CLib extends Library {
        MallInfo2 mallinfo2();
    }

    private static final CLib LIBC = load();

    private static CLib load() {
        try {
            if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
                return null;
            }
            CLib lib = Native.load("c", CLib.class);
            lib.mallinfo2();
            return lib;
        } catch (Throwable e) { // no glibc, or one older than 2.33
            return null;
        }
    }

    public static boolean available() {
        return LIBC != null;
    }

    /** Bytes in use from malloc (heap plus mmap'd blocks), or -1 when not available. */
    public static long allocatedBytes() {
        if (LIBC == null) {
            return -1;
        }
        MallInfo2 m = LIBC.mallinfo2();
        return m.uordblks + m.hblkhd;
    }
}

package gptkit.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** Starts DJL's PyTorch engine offline, quietly, and picks the training device. */
public final class Engines {
    private Engines() {}

    // libtorch's grad mode belongs to each thread and starts on; DJL turns it off on the one thread
    // that loads the engine. Left so, which thread happened to load it (a test's thread pool, a DDP
    // rank, a grading thread) decided whether every other thread recorded graphs outside
    // Autograd.record(): main did or did not, depending on which test ran first.
    private static final ThreadLocal<Boolean> THREAD_SET_UP = new ThreadLocal<>();

    static {
        // The libtorch jar on the classpath is the engine: never download one at run time.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Malloc.keepFreedMemory(); // before libtorch allocates: freed tensors stay for the next step
    }

    /** Nothing but this class's setup: offline, quiet, and malloc's thresholds (Malloc). */
    public static void init() {}

    /** The PyTorch engine, loaded once; on this thread gradients are off until Autograd.record(). */
    public static Engine engine() {
        onThisThread();
        return load();
    }

    /**
     * Once per thread, before its first use of libtorch: the engine loaded and grad mode off, on
     * every thread alike, as DJL leaves the thread that loads the engine. gptkit.autograd calls it
     * before it reads the grad mode, so a thread's first Autograd.record() restores "off" too.
     */
    public static void onThisThread() {
        if (THREAD_SET_UP.get() == null) {
            load();
            JniUtils.setGradMode(false);
            THREAD_SET_UP.set(Boolean.TRUE);
        }
    }

    private static Engine load() {
        try {
            return Engine.getEngine("PyTorch");
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Could not load DJL's PyTorch engine (libtorch). On a CPU machine the jar "
                            + "pytorch-native-cpu must be on the classpath (run through ./mvnw). "
                            + "For CUDA see the README section 'Training on an NVIDIA GPU'. Cause: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * nanoGPT's device option: "auto" picks CUDA when the engine sees a GPU, else the CPU;
     * "cpu", "cuda" and "cuda:N" are taken as they are.
     */
    public static Device device(String name) {
        Engine engine = engine();
        if (name == null || name.isEmpty() || name.equals("auto")) {
            return engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        }
        if (name.equals("cpu")) {
            return Device.cpu();
        }
        if (name.matches("cuda(:[0-9]{1,4})?")) { // cuda:abc or cuda:-1 fall through to the message below
            int id = name.contains(":") ? Integer.parseInt(name.substring(name.indexOf(':') + 1)) : 0;
            if (engine.getGpuCount() <= id) {
                throw new IllegalArgumentException(
                        "device=" + name + " but the engine sees " + engine.getGpuCount()
                                + " GPU(s). Use --device=cpu, or install the CUDA build (README).");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException(
                "Unknown device '" + name + "': use auto, cpu, cuda or cuda:N.");
    }
}

package gptkit.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.engine.Engines;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libtorch's grad mode is per thread and starts on; DJL turns it off only on the thread that loads
 * the engine. Every thread must start alike (off until Autograd.record()), whichever thread loaded
 * the engine: else a test's thread pool that loaded it first left main recording, and
 * MixedPrecisionTest's plain in-place update of a leaf failed after ResumeOnAnotherWorldSizeTest.
 */
class GradModeOnEveryThreadTest {

    /** Runs body on a thread of its own, one that did not load the engine: this one loads it first. */
    static <T> T onAnotherThread(Callable<T> body) throws Exception {
        Engines.engine();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            return pool.submit(body).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aThreadThatDidNotLoadTheEngineRecordsNothingOutsideRecord() throws Exception {
        assertFalse(onAnotherThread(() -> {
            Engines.engine();
            return JniUtils.isGradMode();
        }), "grad mode on another thread after Engines.engine()");
        float[] after = onAnotherThread(() -> {
            try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
                NDArray w = m.create(new float[] {1, 2});
                w.setRequiresGradient(true);
                w.subi(m.create(new float[] {0.5f, 0.5f})); // a leaf updated in place: refused while recording
                return w.toFloatArray();
            }
        });
        assertArrayEquals(new float[] {0.5f, 1.5f}, after, 0f);
    }

    @Test
    void aThreadWhoseFirstCallIsRecordOrNoGradIsLeftWithGradientsOff() throws Exception {
        assertFalse(onAnotherThread(() -> {
            try (Autograd rec = Autograd.record()) {
                assertTrue(JniUtils.isGradMode(), "recording inside Autograd.record()");
            }
            return JniUtils.isGradMode();
        }), "grad mode after a fresh thread's first Autograd.record() closed");
        assertFalse(onAnotherThread(() -> {
            try (NoGrad ng = NoGrad.open()) {
                assertFalse(JniUtils.isGradMode());
            }
            return JniUtils.isGradMode();
        }), "grad mode after a fresh thread's first NoGrad closed");
    }
}

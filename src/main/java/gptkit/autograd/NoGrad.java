package gptkit.autograd;

import ai.djl.pytorch.jni.JniUtils;
import gptkit.engine.Engines;

/** torch.no_grad() as a try-with-resources block: no graph is recorded inside it. */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        Engines.onThisThread(); // a fresh thread: its grad mode as on every other, off
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad open() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}

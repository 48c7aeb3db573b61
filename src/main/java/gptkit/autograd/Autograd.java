package gptkit.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.engine.Engines;
import gptkit.engine.Kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * Recording and backward without DJL's GradientCollector, of which only one may be open per
 * JVM: autograd's grad mode is per thread, so replicas in several threads can each record
 * their own graph. Gradients add up across backward calls until they are zeroed.
 */
public final class Autograd implements AutoCloseable {
    private final boolean previous;

    private Autograd() {
        Engines.onThisThread(); // a fresh thread: its grad mode as on every other, off
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    /** Starts recording on this thread (like torch's default grad mode). */
    public static Autograd record() {
        return new Autograd();
    }

    /** loss.backward(): adds d(loss)/d(p) into every leaf's .grad. */
    public static void backward(NDArray loss) {
        NDArray ones = loss.onesLike();
        JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        ones.close();
    }

    /** optimizer.zero_grad(): every gradient there is, set to zero in place; one call into libtorch for all. */
    public static void zeroGrad(Iterable<NDArray> params) {
        List<NDArray> list = new ArrayList<>();
        params.forEach(list::add);
        if (!list.isEmpty()) {
            Kernels.zeroGrad(list);
        }
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}

package gptkit.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.autograd.Autograd;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static gptkit.Fixtures.assertWithinUlps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernels.linear against libtorch's linear: forward and every gradient. On an x86-64 CPU in float32 it runs
 * oneDNN's products, which add in another order than MKL's: equal to float32 rounding of each tensor's scale.
 * Anything else goes to libtorch's own linear: equal to the bit.
 */
class KernelsTest {
    /** A few ulps of the output's largest value: sums of 40 to 64 products in another order (measured: at most 2). */
    static final int ULPS = 16;

    @Test
    void linearEqualsLibtorchsToFloat32Rounding() {
        for (boolean bias : new boolean[] {false, true}) {
            for (long[] shape : new long[][] {{48, 64}, {4, 12, 64}}) { // the trainer's (B*T, C), and (B, T, C)
                float[][] ours = run(true, bias, shape, DataType.FLOAT32);
                float[][] torch = run(false, bias, shape, DataType.FLOAT32);
                String[] names = {"y", "x.grad", "W.grad", "b.grad"};
                for (int i = 0; i < ours.length; i++) {
                    assertWithinUlps(torch[i], ours[i], ULPS, names[i] + (bias ? " (with bias)" : "") + " for x of "
                            + java.util.Arrays.toString(shape));
                }
            }
        }
    }

    @Test
    void onAnX86CpuFloat32GoesThroughOneDnnAndFloat16DoesNot() {
        String arch = System.getProperty("os.arch");
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            NDArray x = m.ones(new Shape(2, 3));
            assertEquals(Kernels.ONE_DNN && (arch.equals("amd64") || arch.equals("x86_64")), Kernels.usesOneDnn(x),
                    "float32 on " + arch + " with GPTKIT_ONEDNN=" + System.getenv("GPTKIT_ONEDNN"));
            assertTrue(!Kernels.usesOneDnn(x.toType(DataType.FLOAT16, false)), "float16 takes libtorch's linear");
        }
        // float16 (a mixed-precision run on a CPU): libtorch's linear itself, to the bit
        for (boolean bias : new boolean[] {false, true}) {
            float[][] ours = run(true, bias, new long[] {8, 16}, DataType.FLOAT16);
            float[][] torch = run(false, bias, new long[] {8, 16}, DataType.FLOAT16);
            for (int i = 0; i < ours.length; i++) {
                assertArrayEquals(torch[i], ours[i], "float16 output " + i);
            }
        }
    }

    /** y = linear(x, W, b) and the gradients of sum(y * g): the same draws for both sides. */
    private static float[][] run(boolean kernels, boolean withBias, long[] xShape, DataType type) {
        Random rng = new Random(7);
        long in = xShape[xShape.length - 1];
        long out = 40;
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            NDArray x = normal(m, rng, new Shape(xShape), type);
            NDArray w = normal(m, rng, new Shape(out, in), type);
            NDArray b = withBias ? normal(m, rng, new Shape(out), type) : null;
            long[] yShape = xShape.clone();
            yShape[yShape.length - 1] = out;
            NDArray g = normal(m, rng, new Shape(yShape), type);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            if (b != null) {
                b.setRequiresGradient(true);
            }
            NDArray y;
            try (Autograd recording = Autograd.record()) {
                y = kernels ? Kernels.linear(x, w, b)
                        : JniUtils.linear((PtNDArray) x, (PtNDArray) w, b == null ? null : (PtNDArray) b);
                Autograd.backward(y.mul(g).sum());
            }
            return b == null ? new float[][] {floats(y), floats(x.getGradient()), floats(w.getGradient())}
                    : new float[][] {floats(y), floats(x.getGradient()), floats(w.getGradient()), floats(b.getGradient())};
        }
    }

    private static NDArray normal(NDManager m, Random rng, Shape shape, DataType type) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return m.create(v, shape).toType(type, false);
    }

    private static float[] floats(NDArray a) {
        return a.toType(DataType.FLOAT32, false).toFloatArray();
    }
}

package gptkit.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * gptkit's TorchScript kernels (src/main/resources/gptkit/kernels.pt, written by
 * tools/make_kernels.py): a method runs many libtorch operations in one call from Java, where each
 * operation called on its own costs a JNI crossing and a tensor handle. Every method does exactly
 * the operations of the Java code it stands in for, in the same order, except fusedAdamw (libtorch's
 * own fused AdamW kernel) and linear (oneDNN's matrix products): see tools/make_kernels.py.
 */
public final class Kernels {
    private static PtSymbolBlock module;
    private static PtNDManager system; // for the module and for reading a returned number

    private Kernels() {}

    private static synchronized PtSymbolBlock module() {
        if (module == null) {
            Engines.engine();
            system = (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch"); // the module holds no tensors
            try (InputStream in = Kernels.class.getResourceAsStream("/gptkit/kernels.pt")) {
                if (in == null) {
                    throw new IllegalStateException("gptkit/kernels.pt is missing from the classpath: rebuild gptkit "
                            + "(./mvnw package), or write it again with tools/make_kernels.py");
                }
                module = JniUtils.loadModule(system, in, false, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return module;
    }

    /**
     * One group's torch.optim.AdamW(fused=True) step: libtorch's fused AdamW kernel over all its tensors in
     * one call (see tools/make_kernels.py). step is the step count after this step (1 for the first).
     */
    public static void fusedAdamw(IValue params, Collection<NDArray> grads, IValue expAvgs, IValue expAvgSqs,
                                  long step, double lr, double beta1, double beta2, double weightDecay, double eps) {
        // the lists made here (the gradients, the numbers) are closed after the call; params and the moments are the caller's
        IValue[] args = {params, tensors(grads), expAvgs, expAvgSqs, IValue.from((double) step), IValue.from(lr),
                IValue.from(beta1), IValue.from(beta2), IValue.from(weightDecay), IValue.from(eps)};
        try {
            IValueUtils.runMethod(module(), "fused_adamw_", args).close();
        } finally {
            args[1].close();
            for (int i = 4; i < args.length; i++) {
                args[i].close();
            }
        }
    }

    /**
     * ClipGradNorm.clipGradNorm' arithmetic in one call: the total 2-norm of the gradients, and every
     * gradient scaled in place by maxNorm / (norm + 1e-6) when that is below 1. Returns the norm.
     */
    public static float clipGradNorm(Collection<NDArray> grads, double maxNorm) {
        IValue g = tensors(grads);
        IValue max = IValue.from((double) (float) maxNorm); // the float the Java code divides
        try (IValue total = IValueUtils.runMethod(module(), "clip_grads_", g, max);
             NDArray norm = total.toTensor(system)) {
            return norm.getFloat();
        } finally {
            g.close();
            max.close();
        }
    }

    /** Every gradient these tensors have, set to zero in place, in one call (gptkit.autograd.Autograd.zeroGrad). */
    public static void zeroGrad(Collection<NDArray> params) {
        try (IValue p = tensors(params)) {
            IValueUtils.runMethod(module(), "zero_grad_", p).close();
        }
    }

    /**
     * Causal self-attention from c_attn's output qkv (B, T, 3C) to (B, T, C), through
     * scaled_dot_product_attention (nanoGPT's flash path); recorded by autograd like any operation.
     * nHead is a 0-dimensional int64 tensor holding the number of heads.
     */
    public static NDArray attention(NDArray qkv, NDArray nHead) {
        return IValueUtils.forward(module(), new NDList(qkv, nHead), true).singletonOrThrow();
    }

    /**
     * F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1) in float32, recorded by
     * autograd: nanoGPT's loss as one operation (gptkit.model.CrossEntropy writes it out).
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        return IValueUtils.forward(module(), new NDList(logits, targets, method("cross_entropy")), true)
                .singletonOrThrow();
    }

    /**
     * F.linear(x, weight, bias) = x W^T + b, recorded by autograd (bias may be null). A float32 x on an x86-64
     * CPU goes through oneDNN (tools/make_kernels.py, linear): forward and both products of backward. Anything
     * else, and every run with GPTKIT_ONEDNN=0, goes through libtorch's linear (MKL's sgemm on a CPU, cuBLAS
     * on a GPU).
     *
     * <p>Why: MKL runs its AVX2 code on AMD processors (its Zen kernels), where oneDNN runs AVX-512. Measured
     * on a 2-core AMD EPYC VM (README, "Speed"): one product of the small model, 768 x 128 by 128 x 512, 530
     * us in MKL, 270 in oneDNN; a training step of the small model, about 35 ms against 28. Both compute in
     * float32; they add the products in another order, so the two agree to float32 rounding, not to the bit
     * (KernelsTest), as MKL's own AVX2 and AVX-512 code do.
     */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        if (usesOneDnn(x)) {
            NDList in = bias == null ? new NDList(x, weight, method("linear"))
                    : new NDList(x, weight, bias, method("linear_bias"));
            return IValueUtils.forward(module(), in, true).singletonOrThrow();
        }
        return JniUtils.linear((PtNDArray) x, (PtNDArray) weight, bias == null ? null : (PtNDArray) bias);
    }

    /** Whether {@link #linear} takes x through oneDNN. */
    static boolean usesOneDnn(NDArray x) {
        return ONE_DNN && x.getDataType() == DataType.FLOAT32 && Device.Type.CPU.equals(x.getDevice().getDeviceType())
                && oneDnnWorks();
    }

    /** oneDNN for linear: off with GPTKIT_ONEDNN=0, and off except on x86-64, the processors it was measured on. */
    static final boolean ONE_DNN = !"0".equals(System.getenv("GPTKIT_ONEDNN"))
            && Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
    private static Boolean oneDnnWorks;

    /** Whether this libtorch has oneDNN (every build DJL ships for x86-64 has): one tiny product, once. */
    private static synchronized boolean oneDnnWorks() {
        if (oneDnnWorks == null) {
            try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                NDArray one = m.ones(new Shape(1, 1));
                IValueUtils.forward(module(), new NDList(one, one, method("linear")), false).close();
                oneDnnWorks = true;
            } catch (RuntimeException noOneDnn) { // a libtorch built without it: libtorch's linear, as everywhere else
                oneDnnWorks = false;
            }
        }
        return oneDnnWorks;
    }

    // DJL runs a module's method with autograd when an input named "module_method:NAME" says which
    private static final Map<String, NDArray> METHODS = new ConcurrentHashMap<>();

    private static NDArray method(String name) {
        return METHODS.computeIfAbsent(name, n -> {
            module();
            NDArray a = system.create(0f);
            NDScope.unregister(a);
            a.setName("module_method:" + n);
            return a;
        });
    }

    /** A TorchScript List[Tensor] of these tensors (the tensors themselves, not copies): close it after use. */
    public static IValue tensors(Collection<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new));
    }
}

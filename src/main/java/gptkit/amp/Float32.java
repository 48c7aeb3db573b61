package gptkit.amp;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.IValue;
import gptkit.Kernels;

import java.util.LinkedHashMap;
import java.util.Map;

/** Full precision: the forward pass reads the float32 parameters, backward fills their .grad. */
public final class Float32 implements Precision {
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> weights;
    private IValue paramList; // the parameters as a TorchScript list, for zeroGrad

    public Float32(Map<String, NDArray> params) {
        this(params, Map.of());
    }

    /** params train; frozen weights (a LoRA run's base) are read by the forward pass only. */
    public Float32(Map<String, NDArray> params, Map<String, NDArray> frozen) {
        this.params = params;
        if (frozen.isEmpty()) {
            this.weights = params;
        } else {
            this.weights = new LinkedHashMap<>(frozen);
            this.weights.putAll(params);
        }
    }

    @Override
    public Map<String, NDArray> weights() {
        return weights;
    }

    @Override
    public Map<String, NDArray> gradients() {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        params.forEach((name, p) -> grads.put(name, p.getGradient())); // views: changing them changes .grad
        return grads;
    }

    @Override
    public void zeroGrad() {
        if (paramList == null) {
            paramList = Kernels.tensors(params.values());
        }
        Kernels.zeroGrad(paramList); // Autograd.zeroGrad's loop in one call
    }

    @Override
    public void afterStep() {
    }

    @Override
    public void close() {
        if (paramList != null) {
            paramList.close();
            paramList = null;
        }
    }
}

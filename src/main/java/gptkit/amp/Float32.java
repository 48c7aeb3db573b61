package gptkit.amp;

import ai.djl.ndarray.NDArray;
import gptkit.autograd.Autograd;

import java.util.LinkedHashMap;
import java.util.Map;

/** Full precision: the forward pass reads the float32 parameters, backward fills their .grad. */
public final class Float32 implements Precision {
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> weights;

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
        Autograd.zeroGrad(params.values());
    }

    @Override
    public void afterStep() {
    }

    @Override
    public void close() {
    }
}

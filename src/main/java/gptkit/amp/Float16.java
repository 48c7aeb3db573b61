package gptkit.amp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import gptkit.autograd.Autograd;
import gptkit.autograd.NoGrad;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mixed precision without autocast (DJL has none, and its toType cuts the autograd graph): the
 * float32 parameters stay the masters the optimizer updates; the forward and backward passes
 * run on float16 working copies, made afresh after every step; their float16 gradients come
 * back as float32 copies for unscaling, clipping and the optimizer.
 */
public final class Float16 implements Precision {
    private final Map<String, NDArray> masters;
    private final Map<String, NDArray> frozen = new LinkedHashMap<>(); // float16 copies made once: they never change
    private Map<String, NDArray> working = Map.of();
    private Map<String, NDArray> weights = Map.of();

    public Float16(Map<String, NDArray> masters) {
        this(masters, Map.of());
    }

    /** masters train; frozen weights (a LoRA run's base) are read by the forward pass only. */
    public Float16(Map<String, NDArray> masters, Map<String, NDArray> frozen) {
        this.masters = masters;
        try (NoGrad ng = NoGrad.open()) {
            frozen.forEach((name, p) -> {
                NDArray w = p.toType(DataType.FLOAT16, true);
                NDScope.unregister(w);
                this.frozen.put(name, w);
            });
        }
        afterStep();
    }

    @Override
    public Map<String, NDArray> weights() {
        return weights;
    }

    @Override
    public Map<String, NDArray> gradients() {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        try (NoGrad ng = NoGrad.open()) {
            working.forEach((name, w) -> grads.put(name, w.getGradient().toType(DataType.FLOAT32, true)));
        }
        return grads;
    }

    @Override
    public void zeroGrad() {
        Autograd.zeroGrad(working.values());
    }

    /** Fresh float16 copies of the masters: leaves of the next step's graph. */
    @Override
    public void afterStep() {
        Map<String, NDArray> fresh = new LinkedHashMap<>();
        try (NoGrad ng = NoGrad.open()) {
            masters.forEach((name, p) -> {
                NDArray w = p.toType(DataType.FLOAT16, true);
                NDScope.unregister(w);
                w.setRequiresGradient(true);
                fresh.put(name, w);
            });
        }
        closeWorking();
        working = fresh;
        if (frozen.isEmpty()) {
            weights = working;
        } else {
            weights = new LinkedHashMap<>(frozen);
            weights.putAll(working);
        }
    }

    private void closeWorking() {
        working.values().forEach(NDArray::close);
        working = Map.of();
        weights = Map.of();
    }

    @Override
    public void close() {
        closeWorking();
        frozen.values().forEach(NDArray::close);
        frozen.clear();
    }
}

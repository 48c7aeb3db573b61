package gptkit.solutions;

import ai.djl.ndarray.NDArray;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.DecayGrouping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reference answer to exercises/ConfigureOptimizers.java. */
public final class ConfigureOptimizers implements DecayGrouping {

    public ConfigureOptimizers() {
    }

    @Override
    public List<ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        // by shape, not by name: matrices and embeddings have 2 dimensions, biases and LayerNorm gains 1
        Map<String, NDArray> decay = new LinkedHashMap<>();
        Map<String, NDArray> noDecay = new LinkedHashMap<>();
        params.forEach((name, p) -> (p.getShape().dimension() >= 2 ? decay : noDecay).put(name, p));
        return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0));
    }
}

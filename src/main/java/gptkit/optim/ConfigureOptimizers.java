package gptkit.optim;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nanoGPT's configure_optimizers, its grouping half (the library's {@link DecayGrouping}): every
 * tensor of 2 or more dimensions (matmul weights, embeddings) is decayed; biases and LayerNorm
 * gains are not. {@link AdamW#factory} joins it, or any grouping, to an AdamW.
 */
public final class ConfigureOptimizers {
    private ConfigureOptimizers() {}

    /** Two groups: decayed (weightDecay) first, then not decayed (0.0), each in the params' order. */
    public static List<AdamW.ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        Map<String, NDArray> decay = new LinkedHashMap<>();
        Map<String, NDArray> noDecay = new LinkedHashMap<>();
        params.forEach((name, p) -> (p.getShape().dimension() >= 2 ? decay : noDecay).put(name, p));
        List<AdamW.ParamGroup> groups = new ArrayList<>();
        groups.add(new AdamW.ParamGroup(decay, weightDecay));
        groups.add(new AdamW.ParamGroup(noDecay, 0.0));
        return groups;
    }
}

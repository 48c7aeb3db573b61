package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.DecayGrouping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wrong: decided by the name (weights decayed), so LayerNorm gains are decayed too. */
public final class ConfigureOptimizersByName implements DecayGrouping {

    public ConfigureOptimizersByName() {
    }

    @Override
    public List<ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        Map<String, NDArray> decay = new LinkedHashMap<>();
        Map<String, NDArray> noDecay = new LinkedHashMap<>();
        params.forEach((name, p) -> (name.endsWith("weight") ? decay : noDecay).put(name, p));
        return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0));
    }
}

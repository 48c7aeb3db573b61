package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.DecayGrouping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wrong: the right split, but the not decayed group first. */
public final class ConfigureOptimizersSwapped implements DecayGrouping {

    public ConfigureOptimizersSwapped() {
    }

    @Override
    public List<ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        Map<String, NDArray> decay = new LinkedHashMap<>();
        Map<String, NDArray> noDecay = new LinkedHashMap<>();
        params.forEach((name, p) -> (p.getShape().dimension() >= 2 ? decay : noDecay).put(name, p));
        return List.of(new ParamGroup(noDecay, 0.0), new ParamGroup(decay, weightDecay));
    }
}

package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.DecayGrouping;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Wrong: HashMaps for the groups: the parameters come out in hash order, not in the model order. */
public final class ConfigureOptimizersHashMap implements DecayGrouping {

    public ConfigureOptimizersHashMap() {
    }

    @Override
    public List<ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        Map<String, NDArray> decay = new HashMap<>();
        Map<String, NDArray> noDecay = new HashMap<>();
        params.forEach((name, p) -> (p.getShape().dimension() >= 2 ? decay : noDecay).put(name, p));
        return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0));
    }
}

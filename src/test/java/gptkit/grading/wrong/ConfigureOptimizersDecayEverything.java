package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.DecayGrouping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wrong: weight decay on every parameter, biases and LayerNorm gains included. */
public final class ConfigureOptimizersDecayEverything implements DecayGrouping {

    public ConfigureOptimizersDecayEverything() {
    }

    @Override
    public List<ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        Map<String, NDArray> noDecay = new LinkedHashMap<>();
        return List.of(new ParamGroup(new LinkedHashMap<>(params), weightDecay), new ParamGroup(noDecay, 0.0));
    }
}

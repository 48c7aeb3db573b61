package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.DecayGrouping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wrong: copies of the tensors in the groups; the optimizer would update the copies, not the model. */
public final class ConfigureOptimizersCopies implements DecayGrouping {

    public ConfigureOptimizersCopies() {
    }

    @Override
    public List<ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        Map<String, NDArray> decay = new LinkedHashMap<>();
        Map<String, NDArray> noDecay = new LinkedHashMap<>();
        params.forEach((name, p) -> (p.getShape().dimension() >= 2 ? decay : noDecay).put(name, p.duplicate()));
        return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0));
    }
}

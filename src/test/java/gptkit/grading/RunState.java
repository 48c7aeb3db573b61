package gptkit.grading;

import java.util.LinkedHashMap;
import java.util.Map;

/** Everything a training run is made of (exercise checkpoint). Given: do not change. */
public final class RunState {
    /** model.state_dict(): parameter name to its values. */
    public Map<String, float[]> model = new LinkedHashMap<>();
    /** optimizer.state_dict(): AdamW's exp_avg and exp_avg_sq per parameter, and its step count. */
    public Map<String, float[]> expAvg = new LinkedHashMap<>();
    public Map<String, float[]> expAvgSq = new LinkedHashMap<>();
    public long optimizerStep;
    public int iterNum;
    public double bestValLoss = 1e9;
    /** model_args and the run's config, as text. */
    public Map<String, String> config = new LinkedHashMap<>();
}

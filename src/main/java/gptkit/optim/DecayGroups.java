package gptkit.optim;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * The grouping half of configure_optimizers: which parameters get weight decay. The library's
 * is {@link AdamW#configureOptimizers}; {@link AdamW#factory} builds the optimizer part from any.
 */
@FunctionalInterface
public interface DecayGroups {
    /** Two groups, as nanoGPT makes them: decayed (weightDecay) first, then not decayed (0.0). */
    List<AdamW.ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay);
}

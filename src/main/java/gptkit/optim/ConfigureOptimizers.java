package gptkit.optim;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * nanoGPT's configure_optimizers, its grouping half: which parameters get weight decay. The library's
 * is {@link AdamW#configureOptimizers}; {@link AdamW#factory} builds the optimizer part from any.
 */
@FunctionalInterface
public interface ConfigureOptimizers {
    /** Two groups, as nanoGPT makes them: decayed (weightDecay) first, then not decayed (0.0). */
    List<AdamW.ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay);
}

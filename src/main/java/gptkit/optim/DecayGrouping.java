package gptkit.optim;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * The weight-decay grouping part of the trainer, nanoGPT's configure_optimizers' first half: which
 * parameters get weight decay. The library's is {@link ConfigureOptimizers}; {@link AdamW#factory}
 * builds the optimizer from any grouping and any AdamW.
 */
@FunctionalInterface
public interface DecayGrouping {
    /** Two groups, as nanoGPT makes them: decayed (weightDecay) first, then not decayed (0.0). */
    List<AdamW.ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay);
}

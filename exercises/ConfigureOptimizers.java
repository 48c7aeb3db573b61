import ai.djl.ndarray.NDArray;
import gptkit.exercises.NotImplementedYet;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.DecayGrouping;

import java.util.List;
import java.util.Map;

/**
 * Exercise configure_optimizers (notebook 03): which parameters get weight decay, the grouping half of
 * nanoGPT's configure_optimizers.
 * Check it: {@code ./mvnw test -Dexercise=configure_optimizers}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link DecayGrouping}): {@code configureOptimizers(params, weightDecay)}
 * gets the model's parameters by name (in named_parameters' order) and returns two
 * {@link ParamGroup}s for the optimizer: first every tensor with 2 or more dimensions, with
 * {@code weightDecay}; then every other tensor (1 dimension, or a scalar), with weight decay
 * {@code 0.0}. Every parameter is in exactly one group, as the very NDArray the model holds (the
 * optimizer updates it in place), and each group keeps the params' order.
 *
 * <p>Why: weight decay pulls weights towards zero, which regularizes the big matrices (the linear
 * layers and the embeddings). A bias or a LayerNorm gain is a single vector that sets an offset or
 * a scale; pulling it to zero only hurts (a LayerNorm gain of 0 switches the layer off).
 *
 * <p>Read: nanoGPT's model.py, {@code configure_optimizers}: {@code decay_params} and
 * {@code nodecay_params}, then {@code optim_groups}. The grader draws parameter names and shapes
 * of its own, some named to mislead (a 1-dim "weight", a 2-dim "bias").
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class ConfigureOptimizers implements DecayGrouping {

    public ConfigureOptimizers() {
        // nothing to keep: the split depends only on the parameters it is given
    }

    @Override
    public List<ParamGroup> configureOptimizers(Map<String, NDArray> params, double weightDecay) {
        // TODO: decayed group (dimension >= 2) with weightDecay, then the rest with 0.0
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: nanoGPT's split, in Java.
 *
 *   decay_params   = [p for n, p in param_dict.items() if p.dim() >= 2]
 *   nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
 *   optim_groups = [{'params': decay_params, 'weight_decay': weight_decay},
 *                   {'params': nodecay_params, 'weight_decay': 0.0}]
 *
 * Two new LinkedHashMap<String, NDArray> (a HashMap would lose the order); for each (name, p) of
 * params: p.getShape().dimension() >= 2 ? put it in the first : in the second, the same p, not
 * p.duplicate(). Return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0)).
 */

import gptkit.exercises.NotImplementedYet;

import java.util.List;
import java.util.Map;

/**
 * Exercise decay_groups (notebook 03), graded by gptkit.grading.DecayGroupsExerciseTest:
 * {@code ./mvnw test -Dexercise=decay_groups}
 *
 * <p>Why: weight decay pulls weights towards zero, which regularizes the big matrices (the
 * linear layers and the embeddings). A bias or a LayerNorm gain is a single vector that sets an
 * offset or a scale; pulling it to zero only hurts (a LayerNorm gain of 0 switches the layer off).
 *
 * <p>What: nanoGPT's configure_optimizers splits the parameters by their number of dimensions:
 * <pre>
 *   decay_params   = [p for n, p in param_dict.items() if p.dim() >= 2]
 *   nodecay_params = [p for n, p in param_dict.items() if p.dim() &lt; 2]
 * </pre>
 * Here the parameters come as name to shape (an empty shape is a scalar); return the names of
 * each group in the order given. Write it yourself; gptkit.optim.AdamW.configureOptimizers is the
 * trainer's version (the reference).
 */
public final class DecayGroups {
    private DecayGroups() {}

    /** The parameters that get weight_decay. */
    public static List<String> decayed(Map<String, long[]> shapes) {
        // TODO
        throw new NotImplementedYet();
    }

    /** The parameters that get weight_decay 0. */
    public static List<String> notDecayed(Map<String, long[]> shapes) {
        // TODO
        throw new NotImplementedYet();
    }
}

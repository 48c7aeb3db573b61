package gptkit.optim;

import ai.djl.ndarray.NDArray;
import gptkit.config.TrainConfig;

import java.util.Map;

/**
 * The optimizer part of the trainer, as train.py uses torch.optim: set the learning rate, step
 * from the gradients, and hand its state to the checkpoint. The library's is {@link AdamW}.
 */
public interface Optimizer {
    /** Builds the optimizer over the model's named parameters: configure_optimizers. */
    @FunctionalInterface
    interface Factory {
        Optimizer create(Map<String, NDArray> params, TrainConfig cfg);
    }

    /** for param_group in optimizer.param_groups: param_group['lr'] = lr. */
    void setLearningRate(double lr);

    /** One update of every parameter from its gradient, given by parameter name. */
    void step(Map<String, NDArray> grads);

    /** Steps taken so far (Adam's t, for bias correction). */
    long stepCount();

    /** Restores the step count after the state tensors were loaded in place (resume). */
    void setStepCount(long step);

    /**
     * The state tensors by name, live: a checkpoint saves them and loads into them in place
     * (AdamW's are "exp_avg.NAME" and "exp_avg_sq.NAME").
     */
    Map<String, NDArray> state();

    /** What the optimizer tells at start-up (configure_optimizers prints its groups). */
    default String describe() {
        return "";
    }
}

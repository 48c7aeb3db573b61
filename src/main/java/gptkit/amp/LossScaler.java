package gptkit.amp;

import ai.djl.ndarray.NDArray;
import gptkit.config.TrainConfig;
import gptkit.optim.Optimizer;

import java.util.List;
import java.util.Map;

/**
 * The loss-scaling part of the trainer, torch.amp.GradScaler's four calls as train.py makes
 * them: scale(loss).backward(); unscale_ the gradients; step the optimizer unless a gradient
 * overflowed; update the scale. {@link GradScaler} is the library's; {@link #disabled()} is
 * GradScaler(enabled=False), for float32, where every call does nothing.
 */
public interface LossScaler extends AutoCloseable {
    /** Builds the run's scaler: train.py's GradScaler(enabled=(dtype == 'float16')). */
    @FunctionalInterface
    interface Factory {
        LossScaler create(TrainConfig cfg);
    }

    /** What a checkpoint keeps of a scaler. */
    record State(double scale, int growthTracker, long skippedSteps) {}

    /** loss * scale, inside the autograd graph. */
    NDArray scale(NDArray loss);

    /** grads /= scale in place, noting whether any gradient is inf or NaN. */
    void unscale(List<NDArray> grads);

    /** optimizer.step(grads) unless the last unscale found an inf or NaN; true when it stepped. */
    boolean step(Optimizer optimizer, Map<String, NDArray> grads);

    /** Back off after an overflow, grow after growth_interval clean steps. */
    void update();

    State state();

    void restore(State state);

    /** A few words for the log line ("" when disabled). */
    String describe();

    @Override
    void close();

    /** GradScaler(enabled=False): scale, unscale and update do nothing; step always steps. */
    static LossScaler disabled() {
        return new LossScaler() {
            @Override
            public NDArray scale(NDArray loss) {
                return loss;
            }

            @Override
            public void unscale(List<NDArray> grads) {
            }

            @Override
            public boolean step(Optimizer optimizer, Map<String, NDArray> grads) {
                optimizer.step(grads);
                return true;
            }

            @Override
            public void update() {
            }

            @Override
            public State state() {
                return new State(0, 0, 0);
            }

            @Override
            public void restore(State state) {
            }

            @Override
            public String describe() {
                return "";
            }

            @Override
            public void close() {
            }
        };
    }
}

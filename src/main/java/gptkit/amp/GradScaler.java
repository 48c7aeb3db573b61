package gptkit.amp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import gptkit.autograd.NoGrad;
import gptkit.optim.Optimizer;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * torch.amp.GradScaler for float16 training. float16 cannot hold gradients below about 6e-8, so
 * the loss is multiplied by a large scale before backward and the gradients divided by it after.
 * If any gradient came out inf or NaN the scale was too large: the step is skipped (parameters
 * and optimizer state untouched) and the scale halves. After growth_interval clean steps in a row
 * it doubles, so it stays as large as the gradients allow.
 */
public final class GradScaler implements LossScaler {
    private double scale;
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private int growthTracker;
    private long skippedSteps;
    private NDArray scaleTensor;
    private boolean foundInf;

    /** torch's defaults: init_scale 65536, growth 2, backoff 0.5, growth_interval 2000. */
    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    public double scale() {
        return scale;
    }

    public int growthTracker() {
        return growthTracker;
    }

    public long skippedSteps() {
        return skippedSteps;
    }

    /** Restores the state a checkpoint saved. */
    public void restore(double scale, int growthTracker, long skippedSteps) {
        this.scale = scale;
        this.growthTracker = growthTracker;
        this.skippedSteps = skippedSteps;
        closeTensor();
    }

    @Override
    public State state() {
        return new State(scale, growthTracker, skippedSteps);
    }

    /** A state with no scale (a float32 run's checkpoint) leaves the initial scale as it is. */
    @Override
    public void restore(State s) {
        if (s.scale() > 0) {
            restore(s.scale(), s.growthTracker(), s.skippedSteps());
        }
    }

    @Override
    public String describe() {
        return String.format(", scale %.0f, skipped %d", scale, skippedSteps);
    }

    @Override
    public NDArray scale(NDArray loss) {
        return loss.mul(scaleTensor(loss.getManager()));
    }

    /** unscale_ and the overflow check together, as torch's unscale_ records found_inf. */
    @Override
    public void unscale(List<NDArray> grads) {
        float inv = (float) (1.0 / scale); // torch takes the reciprocal in float32
        try (NoGrad ng = NoGrad.open()) {
            for (NDArray g : grads) {
                g.muli(inv);
            }
        }
        foundInf = !allFinite(grads);
    }

    @Override
    public boolean step(Optimizer optimizer, Map<String, NDArray> grads) {
        if (foundInf) {
            return false; // parameters and optimizer state stay as they are
        }
        optimizer.step(grads);
        return true;
    }

    @Override
    public void update() {
        update(foundInf);
    }

    /**
     * The scale as a float32 scalar tensor that owns its memory, for multiplying the loss inside
     * the autograd graph (a Java-number scalar would be freed before backward reads it).
     */
    public NDArray scaleTensor(NDManager manager) {
        if (scaleTensor == null) {
            scaleTensor = manager.create((float) scale);
            NDScope.unregister(scaleTensor);
        }
        return scaleTensor;
    }

    /** True when every gradient is finite (no inf, no NaN). */
    public static boolean allFinite(Collection<NDArray> grads) {
        try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
            scope.suppressNotUsedWarning();
            for (NDArray g : grads) {
                // max propagates NaN, and |inf| is inf: one number tells
                if (!Float.isFinite(g.abs().max().toType(DataType.FLOAT32, false).getFloat())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** torch's update(): back off after an overflow, grow after growth_interval clean steps. */
    public void update(boolean foundInf) {
        if (foundInf) {
            scale *= backoffFactor;
            growthTracker = 0;
            skippedSteps++;
        } else if (++growthTracker == growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
        closeTensor();
    }

    /** Frees the scale tensor; the scaler itself stays usable. */
    @Override
    public void close() {
        closeTensor();
    }

    private void closeTensor() {
        if (scaleTensor != null) {
            scaleTensor.close();
            scaleTensor = null;
        }
    }
}

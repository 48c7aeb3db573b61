package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import gptkit.amp.LossScaler;
import gptkit.autograd.NoGrad;
import gptkit.optim.Optimizer;

import java.util.List;
import java.util.Map;

/** Wrong, and no known mistake: looks for NaN only (isNaN), so an inf gradient is stepped on. The grader must not name another mistake for it. */
public final class GradScalerNaNOnly implements LossScaler {
    private double scale;
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private int growthTracker; // clean steps in a row since the last change of scale
    private long skippedSteps;
    private boolean foundInf; // what the last unscale saw
    private NDArray scaleTensor; // the scale as a tensor, alive until backward has read it

    public GradScalerNaNOnly() {
        this(65536.0, 2.0, 0.5, 2000);
    }

    public GradScalerNaNOnly(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    @Override
    public NDArray scale(NDArray loss) {
        if (scaleTensor == null || scaleTensor.isReleased()) {
            // a tensor of our own: mul(double) would free its scalar before backward reads it
            scaleTensor = loss.getManager().create((float) scale);
            NDScope.unregister(scaleTensor);
        }
        return loss.mul(scaleTensor);
    }

    @Override
    public void unscale(List<NDArray> grads) {
        float inv = (float) (1.0 / scale); // torch: the reciprocal in float32, then a multiply
        boolean inf = false;
        try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
            scope.suppressNotUsedWarning();
            for (NDArray g : grads) {
                g.muli(inv);
                inf |= g.isNaN().any().getBoolean();
            }
        }
        foundInf = inf;
    }

    @Override
    public boolean step(Optimizer optimizer, Map<String, NDArray> grads) {
        if (foundInf) {
            return false; // parameters and optimizer state untouched
        }
        optimizer.step(grads); // already unscaled: the same tensors unscale divided
        return true;
    }

    @Override
    public void update() {
        if (foundInf) {
            scale *= backoffFactor;
            growthTracker = 0;
            skippedSteps++;
        } else if (++growthTracker == growthInterval) { // never on a step that backed off
            scale *= growthFactor;
            growthTracker = 0;
        }
        closeTensor(); // the next scale(loss) makes one with the new scale
    }

    @Override
    public State state() {
        return new State(scale, growthTracker, skippedSteps);
    }

    @Override
    public void restore(State s) {
        if (s.scale() > 0) { // a float32 run's checkpoint has no scale: keep the initial one
            scale = s.scale();
            growthTracker = s.growthTracker();
            skippedSteps = s.skippedSteps();
            closeTensor();
        }
    }

    @Override
    public String describe() {
        return String.format(", scale %.0f, skipped %d", scale, skippedSteps);
    }

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

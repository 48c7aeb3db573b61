import gptkit.exercises.NotImplementedYet;

/**
 * Exercise grad_scaler (notebook 06), graded by gptkit.grading.GradScalerExerciseTest:
 * {@code ./mvnw test -Dexercise=grad_scaler}
 *
 * <p>Why: in float16 a gradient below about 6e-8 becomes 0. Mixed precision multiplies the loss
 * by a large scale before backward, so the gradients come out scale times larger, and divides
 * them by it before the optimizer step. Too large a scale overflows to inf or NaN: then the step
 * must be skipped (one bad step would ruin the weights) and the scale halved. After
 * growth_interval clean steps in a row the scale doubles, to stay as large as it safely can.
 *
 * <p>What: torch.amp.GradScaler, as train.py uses it:
 * <pre>
 *   scaler.scale(loss).backward()     # the trainer multiplies by getScale()
 *   scaler.unscale_(optimizer)        # unscale(grads): grads *= 1/scale; any inf/NaN? (before clipping)
 *   scaler.step(optimizer)            # step(grads, optimizerStep): unscale first if not done this
 *                                     #   iteration; run optimizerStep only if all were finite
 *   scaler.update()                   # inf found: scale *= backoff_factor, count = 0;
 *                                     # else count += 1, at growth_interval: scale *= growth_factor, count = 0
 * </pre>
 * torch's defaults: init_scale 65536, growth_factor 2.0, backoff_factor 0.5, growth_interval 2000.
 * -inf and NaN count as inf. gptkit.amp.GradScaler is the trainer's version (the reference).
 */
public final class GradScaler {
    private double scale;
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private int growthTracker; // clean steps in a row

    /** torch.amp.GradScaler() with torch's defaults. */
    public GradScaler() {
        // TODO: this(...) with torch's defaults
        throw new NotImplementedYet();
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    public double getScale() {
        return scale;
    }

    /** unscale_: divides every gradient by the scale, in place; returns whether any is inf or NaN. */
    public boolean unscale(float[][] grads) {
        // TODO
        throw new NotImplementedYet();
    }

    /** step: unscale if unscale() was not called since the last update(), then step unless inf/NaN. */
    public boolean step(float[][] grads, Runnable optimizerStep) {
        // TODO: return whether optimizerStep ran
        throw new NotImplementedYet();
    }

    /** update: back off after an inf/NaN step, grow after growth_interval clean ones. */
    public void update() {
        // TODO
        throw new NotImplementedYet();
    }
}

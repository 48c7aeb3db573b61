import ai.djl.ndarray.NDArray;
import gptkit.amp.LossScaler;
import gptkit.exercises.NotImplementedYet;
import gptkit.optim.Optimizer;

import java.util.List;
import java.util.Map;

/**
 * Exercise grad_scaler (notebook 06): the trainer's loss-scaling part for float16 training,
 * torch.amp.GradScaler. Check it: {@code ./mvnw test -Dexercise=grad_scaler}. Train with it:
 * {@code ./gptkit train shakespeare_char_cpu --parts=exercises} (with {@code --dtype=float16} the
 * trainer uses it; in float32 it uses GradScaler(enabled=False), which does nothing).
 *
 * <p>The contract ({@link LossScaler}), the four calls train.py makes each iteration:
 * <ul>
 *   <li>{@code scale(loss)}: loss times the current scale, inside the autograd graph, so that
 *       backward gives gradients scale times larger;</li>
 *   <li>{@code unscale(grads)}: divides every gradient by the scale, in place, and notes whether any
 *       of them is inf, -inf or NaN (before clipping, so clipping sees the true gradients);</li>
 *   <li>{@code step(optimizer, grads)}: runs the optimizer's step unless the last unscale found an
 *       inf or NaN, and says whether it stepped; it does not divide again;</li>
 *   <li>{@code update()}: after an overflow the scale is multiplied by backoff_factor and the count
 *       of clean steps starts again from 0; after growth_interval clean steps in a row it is
 *       multiplied by growth_factor (and the count starts again).</li>
 * </ul>
 * {@code state()}/{@code restore(State)} are what a checkpoint keeps: scale, growth tracker (clean
 * steps counted so far) and skipped steps; a State whose scale is 0 (a float32 run's checkpoint)
 * leaves the scaler as it is. {@code describe()} is a few words for the log line;
 * {@code close()} frees what the scaler holds. {@code GradScaler()} has torch's defaults:
 * init_scale 65536 (2^16), growth_factor 2.0, backoff_factor 0.5, growth_interval 2000.
 *
 * <p>Why: float16 flushes any gradient below about 6e-8 to 0, and small gradients are common.
 * Scaling the loss lifts them into range; dividing afterwards gives the optimizer the true
 * gradients. Too large a scale overflows to inf: one step on an inf gradient would write NaN into
 * every weight, so that step is skipped and the scale made smaller. Growing again after a long
 * clean run keeps the scale as large as the gradients allow.
 *
 * <p>Read: nanoGPT's train.py ({@code scaler = torch.cuda.amp.GradScaler(enabled=(dtype ==
 * 'float16'))}, {@code scaler.scale(loss).backward()}, {@code scaler.unscale_(optimizer)},
 * {@code scaler.step(optimizer)}, {@code scaler.update()}), PyTorch's docs of
 * torch.amp.GradScaler, and notebook 06. Mind the step where an overflow falls on the very step
 * that would have grown the scale: torch backs off, and does not grow.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class GradScaler implements LossScaler {

    /** torch's defaults: init_scale 65536, growth_factor 2.0, backoff_factor 0.5, growth_interval 2000. */
    public GradScaler() {
        // TODO: this(...) with torch's defaults
        throw new NotImplementedYet();
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        // TODO: keep the settings; the growth tracker and the skipped steps start at 0
    }

    @Override
    public NDArray scale(NDArray loss) {
        // TODO: loss times the current scale, recorded in the graph
        throw new NotImplementedYet();
    }

    @Override
    public void unscale(List<NDArray> grads) {
        // TODO: every gradient divided by the scale in place; remember whether any is inf or NaN
        throw new NotImplementedYet();
    }

    @Override
    public boolean step(Optimizer optimizer, Map<String, NDArray> grads) {
        // TODO: step the optimizer unless unscale found an inf or NaN; return whether it stepped
        throw new NotImplementedYet();
    }

    @Override
    public void update() {
        // TODO: back off after an overflow, grow after growth_interval clean steps in a row
        throw new NotImplementedYet();
    }

    @Override
    public State state() {
        // TODO: new State(scale, growth tracker, skipped steps)
        throw new NotImplementedYet();
    }

    @Override
    public void restore(State state) {
        // TODO: take the three back from a checkpoint's State (not when its scale is 0)
        throw new NotImplementedYet();
    }

    @Override
    public String describe() {
        // TODO: a few words for the log line, e.g. ", scale 65536, skipped 0"
        throw new NotImplementedYet();
    }

    @Override
    public void close() {
        // TODO: free any tensor the scaler keeps (nothing to do if it keeps none)
    }
}

/*
 * If you are stuck: torch.amp.GradScaler, call by call.
 *
 *   scale(loss):   s = loss.getManager().create((float) scale)   # a float32 scalar tensor
 *                  return loss.mul(s)
 *     Keep s alive until backward has run (backward reads it): do not close it here, and do not
 *     use loss.mul(double), whose temporary scalar DJL frees at once. The library keeps one such
 *     tensor per scale (NDScope.unregister(s)) and closes it in update() and close(). After
 *     update() changes the scale, scale(loss) must use the new one.
 *
 *   unscale(grads):
 *     inv = (float) (1.0 / scale)            # torch takes the reciprocal in float32, then multiplies
 *     try (NoGrad ng = NoGrad.open()) { for g in grads: g.muli(inv) }   # in place: the same objects
 *     foundInf = some g has a value that is not finite: NaN, +inf or -inf
 *                (g.abs().max() is inf or NaN then: max lets NaN through; Float.isFinite tells both)
 *
 *   step(optimizer, grads):
 *     if foundInf: return false              # weights and optimizer state stay as they are
 *     optimizer.step(grads); return true     # grads are the same tensors unscale divided: not again
 *
 *   update():
 *     if foundInf: scale *= backoff_factor; growthTracker = 0; skippedSteps += 1
 *     else: growthTracker += 1
 *           if growthTracker == growth_interval: scale *= growth_factor; growthTracker = 0
 *     Note the else: a skipped step never also grows, even when it falls on the growth step.
 *
 *   state():       new State(scale, growthTracker, skippedSteps)
 *   restore(s):    if s.scale() > 0: scale, growthTracker, skippedSteps = s's three
 */

import gptkit.grading.AccumModel;
import gptkit.grading.NotImplementedYet;

/**
 * Exercise grad_accumulation (notebook 07), graded by gptkit.grading.GradAccumulationExerciseTest:
 * {@code ./mvnw test -Dexercise=grad_accumulation}
 *
 * <p>Why: the batch that trains well may not fit in memory. Gradient accumulation runs it as
 * gradient_accumulation_steps micro-batches: backward() adds each micro-batch's gradient to what
 * is there, and one optimizer step follows the last. The loss is a mean over the batch, so each
 * micro-batch's loss is divided by the number of micro-steps: the sum of the gradients is then
 * the gradient of the whole batch's mean loss, the same as if it had fit.
 *
 * <p>What: one iteration of train.py's loop, on the small AccumModel interface (read it in
 * src/test/java/gptkit/grading/AccumModel.java):
 * <pre>
 *   for micro_step in range(gradient_accumulation_steps):
 *       logits, loss = model(X, Y)
 *       loss = loss / gradient_accumulation_steps
 *       loss.backward()
 *   if grad_clip != 0.0:
 *       torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
 *   optimizer.step()
 *   optimizer.zero_grad(set_to_none=True)
 *   return loss.item() * gradient_accumulation_steps   # lossf, what train.py logs
 * </pre>
 * gptkit.train.Trainer runs the same loop on the GPT (the reference).
 */
public final class GradAccumulation {
    private GradAccumulation() {}

    public static double trainStep(AccumModel model, int gradientAccumulationSteps, double gradClip) {
        // TODO
        throw new NotImplementedYet();
    }
}

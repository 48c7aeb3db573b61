import gptkit.grading.EvalModel;
import gptkit.exercises.NotImplementedYet;

import java.util.Map;

/**
 * Exercise estimate_loss (notebook 05), graded by gptkit.grading.EstimateLossExerciseTest:
 * {@code ./mvnw test -Dexercise=estimate_loss}
 *
 * <p>Why: the loss of one batch is noisy; train.py reports the mean over eval_iters batches of
 * each split, so "val loss went down" means something. It evaluates with dropout off (eval
 * mode: the model as it will be used) and without recording gradients (no_grad: faster, less
 * memory, and nothing leaks into the next training step), then switches training mode back on.
 *
 * <p>What: nanoGPT's estimate_loss, on the small EvalModel interface (read it in
 * src/test/java/gptkit/grading/EvalModel.java):
 * <pre>
 *   @torch.no_grad()
 *   def estimate_loss():
 *       out = {}
 *       model.eval()
 *       for split in ['train', 'val']:
 *           losses = torch.zeros(eval_iters)
 *           for k in range(eval_iters):
 *               X, Y = get_batch(split)
 *               logits, loss = model(X, Y)
 *               losses[k] = loss.item()
 *           out[split] = losses.mean()
 *       model.train()
 *       return out
 * </pre>
 * Return a map with the keys "train" and "val". Write it yourself; gptkit.train.EstimateLoss is
 * the trainer's version (the reference).
 */
public final class EstimateLoss {
    private EstimateLoss() {}

    public static Map<String, Double> estimateLoss(EvalModel model, int evalIters) {
        // TODO: eval mode, no_grad, the mean of evalIters losses per split, training mode again
        throw new NotImplementedYet();
    }
}

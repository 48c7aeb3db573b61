import gptkit.autograd.NoGrad;
import gptkit.exercises.NotImplementedYet;
import gptkit.train.LossEstimator;

/**
 * Exercise estimate_loss (notebook 05): the trainer's evaluation part.
 * Check it: {@code ./mvnw test -Dexercise=estimate_loss}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link LossEstimator}): {@code estimateLoss(model, evalIters)} returns the
 * mean loss of {@code evalIters} batches of the "train" split and of {@code evalIters} batches of
 * the "val" split, as a {@code gptkit.train.EstimateLoss.Losses(train, val)}. Each
 * {@code model.loss(split)} call draws a fresh batch and returns its loss. While it evaluates, the
 * model is in eval mode ({@code model.train(false)}) and no gradients are recorded (a
 * {@link NoGrad} block); afterwards the model is in training mode again ({@code model.train(true)})
 * and gradients are recorded as before.
 *
 * <p>Why: the loss of one batch is noisy; train.py reports the mean over eval_iters batches of
 * each split, so "val loss went down" means something. Eval mode turns dropout off: the model as
 * it will be used, and a steadier estimate. No gradients: no autograd graph is built, so
 * evaluation is faster and holds no activations in memory. Training mode again: otherwise the
 * rest of training runs without dropout.
 *
 * <p>Read: nanoGPT's train.py, {@code def estimate_loss()} with its {@code @torch.no_grad()}
 * decorator, and notebook 05. {@code NoGrad.open()} in a try-with-resources block is this
 * library's {@code with torch.no_grad():}. The result type is written in full,
 * {@code gptkit.train.EstimateLoss.Losses}, because this class is named EstimateLoss too. The
 * grader's model records how it was called and draws losses and eval_iters of its own.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class EstimateLoss implements LossEstimator {

    public EstimateLoss() {
        // nothing to keep: everything comes with each call
    }

    @Override
    public gptkit.train.EstimateLoss.Losses estimateLoss(Model model, int evalIters) {
        // TODO: eval mode, no_grad, the mean of evalIters losses per split, training mode again
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: nanoGPT's estimate_loss, line by line.
 *
 *   @torch.no_grad()                         try (NoGrad ng = NoGrad.open()) { ... } around the loops
 *   def estimate_loss():
 *       out = {}
 *       model.eval()                         model.train(false)
 *       for split in ['train', 'val']:
 *           losses = torch.zeros(eval_iters)
 *           for k in range(eval_iters):      k = 0 .. evalIters - 1: evalIters batches
 *               X, Y = get_batch(split)
 *               logits, loss = model(X, Y)   these three lines are model.loss(split),
 *               losses[k] = loss.item()      one call per k: each call is a new batch
 *           out[split] = losses.mean()       the sum of the losses / evalIters, in double
 *       model.train()                        model.train(true)
 *       return out                           new gptkit.train.EstimateLoss.Losses(trainMean, valMean)
 *
 * Put model.train(true) in a finally block after the try, so that a failing batch does not leave
 * the model in eval mode.
 */

import ai.djl.ndarray.NDArray;
import gptkit.exercises.NotImplementedYet;
import gptkit.train.Loop;

import java.io.IOException;

/**
 * Exercise train_loop (notebook 09): the trainer's loop itself, train.py's {@code while True}.
 * Check it: {@code ./mvnw test -Dexercise=train_loop}. Train with it (and every other part you
 * solved): {@code ./gptkit train shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link Loop}): {@code run(t)} trains from iteration {@code t.iterNum()}
 * through {@code max_iters} inclusive. Each iteration: the learning rate from {@code t.schedule()}
 * is set on {@code t.optimizer()}; every {@code eval_interval} iterations rank 0
 * ({@code t.isMaster()}) calls {@code t.evaluate(iter, lr)}, and with {@code eval_only} the run
 * stops after that first evaluation; then {@code t.accumulation()} micro-steps of
 * {@code t.forward(iter, micro)} and {@code t.backward(...)}, each loss divided by the number of
 * micro-steps and scaled by {@code t.scaler()}; then, on {@code t.gradients()}, train.py's order:
 * average across ranks ({@code t.ddp()}), unscale, clip ({@code t.clipGradNorm()} with
 * {@code grad_clip}, or +infinity when grad_clip is 0: the norm is still logged), step through the
 * scaler, update the scale, {@code t.zeroGrad()}; and every {@code log_interval} iterations rank 0
 * calls {@code t.log(iter, lr, loss, norm)} with the last micro-step's loss and the norm before
 * clipping (NaN when the scaler skipped the step).
 *
 * <p>Why: this is where gradient accumulation happens. Dividing each micro-step's loss by their
 * number makes the summed gradients those of one large batch; the update waits for the last
 * micro-step. And the order after it matters: clipping scaled gradients, or stepping before
 * unscaling, trains a different model.
 *
 * <p>The DJL trap, where it bites here: {@code loss.div(4)} turns the Java number 4 into a tensor
 * that Java may collect before backward reads it, corrupting the gradients now and then. Divide
 * by {@code t.constant(4)}, a tensor the trainer keeps alive.
 *
 * <p>Read: nanoGPT's train.py from {@code while True:} to the end; notebook 09. The grader runs
 * your loop against a scripted trainer with settings drawn at grading time, then trains a small
 * GPT with all your solved parts and compares it with the library's, step for step.
 *
 * <p>Stuck? The loop is spelled out at the end of this file. Try without it first.
 */
public final class TrainLoop implements Loop {

    @Override
    public void run(Steps t) throws IOException {
        // TODO: train.py's while loop, with the parts t gives
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: train.py's loop, in this part's words.
 *
 *   iter = t.iterNum()
 *   while true:
 *     lr = t.schedule().lr(iter);  t.optimizer().setLearningRate(lr)
 *     if iter % eval_interval == 0 and t.isMaster(): t.evaluate(iter, lr)
 *     if iter == 0 and eval_only: break
 *     for micro in 0 .. t.accumulation() - 1:
 *       loss = t.forward(iter, micro)
 *       t.backward(t.scaler().scale(loss.div(t.constant(t.accumulation()))))
 *     lossf = loss.getFloat()                      (the last micro-step's, before gradients())
 *     grads = t.gradients();  list = new ArrayList<>(grads.values())
 *     t.ddp().averageGradients(list);  t.scaler().unscale(list)
 *     norm = t.clipGradNorm().clipGradNorm(list, grad_clip != 0 ? grad_clip : +infinity)
 *     stepped = t.scaler().step(t.optimizer(), grads);  t.scaler().update();  t.zeroGrad()
 *     if iter % log_interval == 0 and t.isMaster(): t.log(iter, lr, lossf, stepped ? norm : NaN)
 *     iter += 1
 *     if iter > max_iters: break
 */

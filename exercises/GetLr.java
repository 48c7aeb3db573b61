import gptkit.config.TrainConfig;
import gptkit.exercises.NotImplementedYet;
import gptkit.schedule.LrSchedule;

/**
 * Exercise get_lr (notebook 04): the trainer's learning-rate part.
 * Check it: {@code ./mvnw test -Dexercise=get_lr}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link LrSchedule}): {@code lr(it)} is the learning rate of iteration
 * {@code it} (0, 1, 2, ...), for the run's {@code learning_rate}, {@code warmup_iters},
 * {@code lr_decay_iters} and {@code min_lr}, exactly as nanoGPT's get_lr gives it: it rises in a
 * straight line to learning_rate over the first warmup_iters iterations (iteration 0 already
 * trains), falls along half a cosine to min_lr at lr_decay_iters, and stays at min_lr after.
 *
 * <p>Why: a large rate at the first steps, while AdamW's moments know nothing yet, can throw the
 * weights far off; a large rate at the end keeps the loss jumping around its minimum.
 *
 * <p>Read: nanoGPT's train.py, {@code def get_lr(it)}, and notebook 04's chart of it. The grader
 * draws configurations and iterations of its own, so every it must be right, not only those in
 * the notebook.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class GetLr implements LrSchedule {

    public GetLr(TrainConfig cfg) {
        // TODO: keep what lr(it) needs from cfg: learning_rate, warmup_iters, lr_decay_iters, min_lr
    }

    @Override
    public double lr(int it) {
        // TODO: warmup, then cosine decay, then min_lr
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: nanoGPT's get_lr, line by line.
 *
 *   if it < warmup_iters:  return learning_rate * (it + 1) / (warmup_iters + 1)
 *   if it > lr_decay_iters: return min_lr
 *   decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
 *   coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
 *   return min_lr + coeff * (learning_rate - min_lr)
 *
 * In Java, mind integer division: (it - warmupIters) / (lrDecayIters - warmupIters) with two ints
 * is 0 until the very end; make one of them a double.
 */

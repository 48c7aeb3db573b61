package gptkit.train;

/**
 * What a run tells as it goes, for a live view (the notebooks' LiveChart) or a student's own
 * experiment: {@code trainer.listen(listener)}. Rank 0 only; the calls come from the training
 * thread, between iterations, so a listener must be quick or the run waits for it.
 */
public interface TrainingListener {
    /** After each iteration's update: the iteration just trained, the last one, and its timing. */
    default void iteration(int iter, int maxIters, double msPerIter, double tokensPerSec) {
    }

    /** After an evaluation (estimate_loss) at iteration iter. */
    default void evaluated(int iter, double trainLoss, double valLoss) {
    }

    /** The run ended, normally or not. */
    default void finished() {
    }
}

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

    /**
     * A logged iteration (every log_interval): what the console's "iter N:" line prints. gradNorm is
     * NaN when float16 skipped the step; mfu is -1 for the first iterations, before it is measured.
     */
    default void logged(int iter, double lr, double loss, double gradNorm, double msPerIter, double tokensPerSec,
                        double mfu) {
    }

    /** A text the run made, by name: the samples of ./gptkit train --sample=N, at the run's last iteration. */
    default void text(int iter, String tag, String text) {
    }

    /** After an evaluation (estimate_loss) at iteration iter. */
    default void evaluated(int iter, double trainLoss, double valLoss) {
    }

    /** The run ended, normally or not. */
    default void finished() {
    }
}

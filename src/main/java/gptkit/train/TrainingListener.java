package gptkit.train;

import java.io.IOException;

/**
 * What a run tells as it goes, for a live view (the notebooks' LiveChart) or a student's own
 * experiment: {@code trainer.listen(listener)}. Rank 0 only; the calls come from the training
 * thread, between iterations, so a listener must be quick or the run waits for it.
 */
public interface TrainingListener {
    /** run() starts at iteration iter (0, or the checkpoint's on a resume) and goes to maxIters. */
    default void started(int iter, int maxIters) {
    }

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

    /** The same, with the iteration's learning rate (the log's eval row has it); by default the above. */
    default void evaluated(int iter, double lr, double trainLoss, double valLoss) {
        evaluated(iter, trainLoss, valLoss);
    }

    /**
     * Files are due: after each evaluation and its checkpoint, and at the end of a run that did not
     * fail. A listener that writes files (log.csv, the charts) writes them here, so they match the
     * checkpoint a resume starts from.
     */
    default void save() throws IOException {
    }

    /** The run ended, normally or not. */
    default void finished() {
    }
}

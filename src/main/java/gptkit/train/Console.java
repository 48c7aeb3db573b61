package gptkit.train;

import gptkit.amp.LossScaler;
import me.tongfei.progressbar.ProgressBar;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * What a run prints as it goes: the "iter N: loss ..." line of each logged iteration, or a progress
 * bar when asked for and a person watches a console (not in CI, notebooks or ranks > 0); the "step N:
 * train loss ..., val loss ..." line of each evaluation; a line when float16 skips a step.
 */
final class Console implements TrainingListener {
    private final Supplier<PrintStream> out; // the trainer's: a notebook may redirect it between runs
    private final boolean barWanted;
    private final LossScaler scaler;
    private ProgressBar bar; // during a run, when wanted
    private long skipped; // float16 steps skipped so far

    Console(Supplier<PrintStream> out, boolean barWanted, LossScaler scaler) {
        this.out = out;
        this.barWanted = barWanted;
        this.scaler = scaler;
    }

    @Override
    public void started(int iter, int maxIters) {
        skipped = scaler.state().skippedSteps();
        if (barWanted && System.console() != null) {
            bar = ProgressBar.builder().setTaskName("train").setInitialMax(maxIters + 1 - iter).build();
        }
    }

    @Override
    public void iteration(int iter, int maxIters, double msPerIter, double tokensPerSec) {
        long now = scaler.state().skippedSteps();
        if (now > skipped) {
            out.get().printf("iter %d: gradients overflowed in float16, step skipped%s%n", iter, scaler.describe());
        }
        skipped = now;
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void logged(int iter, double lr, double loss, double gradNorm, double msPerIter, double tokensPerSec,
                       double mfu) {
        if (bar != null) {
            bar.setExtraMessage(String.format("loss %.4f", loss));
            return;
        }
        out.get().println(String.format("iter %d: loss %.4f, lr %.2e, time %.2fms, %,.0f tok/s, mfu %.2f%%%s", iter,
                loss, lr, msPerIter, tokensPerSec, mfu * 100, scaler.describe()));
    }

    @Override
    public void evaluated(int iter, double trainLoss, double valLoss) {
        out.get().printf("step %d: train loss %.4f, val loss %.4f%n", iter, trainLoss, valLoss);
    }

    @Override
    public void finished() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}

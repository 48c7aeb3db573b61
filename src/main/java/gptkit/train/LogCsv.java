package gptkit.train;

import gptkit.outdir.OutDir;
import gptkit.plot.Charts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The run's log: a row per logged iteration and per evaluation in {@link TrainingLog}, written to
 * out_dir as log.csv (and loss.png, lr.png with charts=true) whenever files are due. Rank 0 only.
 */
final class LogCsv implements TrainingListener {
    private final TrainingLog log;
    private final Path outDir;
    private final boolean charts;
    private final Supplier<String> untouched; // for a full disk's message: which checkpoint is still whole

    LogCsv(TrainingLog log, Path outDir, boolean charts, Supplier<String> untouched) {
        this.log = log;
        this.outDir = outDir;
        this.charts = charts;
        this.untouched = untouched;
    }

    @Override
    public void logged(int iter, double lr, double loss, double gradNorm, double msPerIter, double tokensPerSec,
                       double mfu) {
        log.step(iter, lr, loss, msPerIter, tokensPerSec, gradNorm);
    }

    @Override
    public void evaluated(int iter, double lr, double trainLoss, double valLoss) {
        log.eval(iter, lr, trainLoss, valLoss);
    }

    @Override
    public void save() throws IOException {
        try {
            log.save(outDir.resolve("log.csv"));
            if (charts) {
                Charts.saveAll(log.table(), outDir);
            }
        } catch (IOException e) {
            throw OutDir.diskFull(e, outDir, "log.csv and the charts", -1, untouched.get());
        }
    }
}

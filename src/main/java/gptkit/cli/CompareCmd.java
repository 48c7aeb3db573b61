package gptkit.cli;

import gptkit.plot.Charts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Several runs' curves in one chart from their log.csv: the offline view of ./gptkit runs. */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "Draw one column of several runs' "
        + "log.csv in one chart: compare OUT_DIR OUT_DIR ... [--metric=val_loss] [--out=compare.png].")
final class CompareCmd implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "the runs' out_dirs") List<Path> outDirs;
    @Option(names = "--metric", defaultValue = "val_loss", description = "a column of log.csv: val_loss (default), "
            + "train_loss, loss, lr, ms, tokens_per_s, grad_norm") String metric;
    @Option(names = "--out", defaultValue = "compare.png", description = "the PNG to write") Path out;

    @Override
    public Integer call() throws Exception {
        Charts.savePng(Charts.compare(outDirs, metric), out);
        System.out.println("wrote " + out + ": " + metric + " of " + outDirs.size() + " run(s)");
        return 0;
    }
}

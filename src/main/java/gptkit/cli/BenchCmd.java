package gptkit.cli;

import gptkit.engine.PeakMemory;
import gptkit.files.SafeFiles;
import gptkit.config.TrainConfig;
import gptkit.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** A benchmark, not a test: ms/iter and tokens/s of training steps for a config. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time training steps of a config: bench <config> [--key=value ...].")
final class BenchCmd implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "shakespeare_char_cpu") String preset;
    @Parameters(index = "1..*", arity = "0..*") List<String> overrides = new ArrayList<>();
    @Option(names = "--iters", defaultValue = "50", description = "timed iterations") int iters;
    @Option(names = "--warmup", defaultValue = "5", description = "untimed iterations first") int warmup;

    @Override
    public Integer call() throws Exception {
        if (iters < 1 || warmup < 0 || (long) warmup + iters - 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format("--iters=%d --warmup=%d: bench times --iters >= 1 "
                    + "iterations after --warmup >= 0 untimed ones (together at most %,d)", iters, warmup,
                    Integer.MAX_VALUE));
        }
        for (String o : overrides) { // the bench sets these itself: a user's value would be silently replaced
            for (String own : List.of("max_iters", "eval_interval", "eval_iters", "log_interval", "out_dir")) {
                if (o.startsWith("--" + own + "=")) {
                    throw new IllegalArgumentException(o + ": bench sets " + own + " itself (it trains --warmup + "
                            + "--iters iterations into a temp folder, evaluating once); leave it out, or use "
                            + "--iters=N and --warmup=N.");
                }
            }
        }
        // the user's config, then the bench's own settings on top (iteration 0 still evaluates once: keep it short)
        TrainConfig cfg = Main.config(preset, overrides);
        // A folder of this bench's own, removed at the end: a fixed one held the last bench's log.csv, so the next
        // bench was refused as a fresh run over another run, and two benches at once would share it. The ranks of
        // one torchrun share their launcher's MASTER_PORT, so they agree on it.
        String port = System.getenv("MASTER_PORT");
        Path outDir = Path.of(System.getProperty("java.io.tmpdir"),
                "gptkit-bench-" + (port != null && !port.isBlank() ? "port" + port : "pid" + ProcessHandle.current().pid()));
        cfg.apply("--max_iters=" + (warmup + iters - 1), "--eval_interval=" + Integer.MAX_VALUE, "--eval_iters=1",
                "--log_interval=1", "--progress=false", "--charts=false", "--out_dir=" + outDir,
                "--overwrite_out_dir=true"); // a folder left by a killed bench whose pid came round again
        try (Trainer t = new Trainer(cfg)) {
            t.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            t.run();
            var steps = t.log().steps();
            var ms = steps.doubleColumn("ms").where(steps.intColumn("iter").isGreaterThanOrEqualTo(warmup));
            if (!t.isMaster()) {
                return 0; // rank 0 reports for the group
            }
            double mean = ms.mean();
            long tokens = cfg.tokensPerIter();
            System.out.printf("bench %s on %s, dtype %s, %d process(es): %d timed iterations, %,d tokens/iter%n",
                    preset, t.device(), cfg.dtype, t.ddp().worldSize(), ms.size(), tokens);
            System.out.printf("ms/iter: mean %.2f, median %.2f, min %.2f%n", mean, ms.median(), ms.min());
            System.out.printf("tokens/s: %,.0f%n", tokens / (mean / 1000));
            System.out.println(PeakMemory.describe());
            if (gptkit.train.ThreadGovernor.changes() > 0) { // other programs kept the cores busy (README, "Speed")
                System.out.printf("CPU threads changed %d time(s) while other programs used the cores%n",
                        gptkit.train.ThreadGovernor.changes());
            }
            if (t.ddp().worldSize() > 1) {
                System.out.printf("all-reduce: %.2f ms per optimizer step (mean over %d, waiting included)%n",
                        1000 * t.ddp().allReduceSeconds() / t.ddp().allReduceCount(), t.ddp().allReduceCount());
            }
        } finally {
            String rank = System.getenv("RANK");
            if (rank == null || rank.isBlank() || rank.equals("0")) { // the other ranks may still be in it
                SafeFiles.deleteTree(outDir); // the bench's temp folder: nothing in it is kept
            }
        }
        return 0;
    }
}

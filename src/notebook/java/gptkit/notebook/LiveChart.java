package gptkit.notebook;

import gptkit.plot.Charts;
import gptkit.train.Trainer;
import gptkit.train.TrainingListener;
import org.knowm.xchart.XYChart;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One chart that redraws itself in place while a notebook trains: the batch loss of every
 * logged iteration and estimate_loss's train and val points, titled with the progress
 * (iteration / last, tokens/s, time left). The final chart stays in the cell's output. With
 * {@link #withoutIterationLines} it replaces the wall of "iter N" lines; the other lines
 * (evaluations, checkpoints) still print.
 * <pre>
 *   trainer.setOut(LiveChart.withoutIterationLines(System.out));   // optional
 *   LiveChart.attach(trainer, "Tiny Shakespeare", x -&gt; display(x), (id, x) -&gt; updateDisplay(id, x));
 *   trainer.run();
 * </pre>
 * display and updateDisplay are the kernel's own (JJava's and IJava's), handed in as lambdas, so
 * the library needs no kernel on its class path.
 */
public final class LiveChart implements TrainingListener {
    /** The kernel's display(Object): shows an output and returns its id. */
    @FunctionalInterface
    public interface Display {
        String show(Object output);
    }

    /** The kernel's updateDisplay(id, Object): replaces that output in place. */
    @FunctionalInterface
    public interface Update {
        void update(String id, Object output);
    }

    /**
     * Redraws at most once a second, and at most 5% of the time: a redraw (chart, PNG, the
     * kernel's message) takes tens of milliseconds, more as the log grows.
     */
    static final long REDRAW_NANOS = 1_000_000_000L;
    private long drawNanos;

    private final java.util.function.Supplier<XYChart> source;
    private final String title;
    private final Update update;
    private final String id;
    private final long start = System.nanoTime();
    private long lastDraw = System.nanoTime();
    private int firstIter = -1;
    private int iter = -1;
    private int maxIters;
    private double tokensPerSec;

    // what forLogLines has read: the batch losses, and the evaluations
    private final java.util.List<double[]> losses = new java.util.ArrayList<>();
    private final java.util.List<double[]> evals = new java.util.ArrayList<>();

    private LiveChart(java.util.function.Supplier<XYChart> source, String title, Display display, Update update) {
        this.source = source;
        this.title = title;
        this.update = update;
        this.id = display.show(title + ": starting...");
    }

    /** Shows the chart under the cell and keeps it up to date while the trainer runs. */
    public static LiveChart attach(Trainer trainer, String title, Display display, Update update) {
        LiveChart live = new LiveChart(() -> Charts.losses(trainer.log().table()), title, display, update);
        trainer.listen(live);
        return live;
    }

    /**
     * The same chart fed by nanoGPT's log lines as another process prints them (a torchrun run's
     * rank 0): hand it each line with {@link #line}, and call {@link #finished} at the end.
     */
    public static LiveChart forLogLines(String title, int maxIters, Display display, Update update) {
        LiveChart[] self = new LiveChart[1];
        self[0] = new LiveChart(() -> self[0].chartOfLines(), title, display, update);
        self[0].maxIters = maxIters;
        return self[0];
    }

    private static final java.util.regex.Pattern ITER = java.util.regex.Pattern.compile(
            "^iter (\\d+): loss ([0-9.]+), .*?([0-9,]+) tok/s");
    private static final java.util.regex.Pattern STEP = java.util.regex.Pattern.compile(
            "^step (\\d+): train loss ([0-9.]+), val loss ([0-9.]+)");

    /** One line of the log: an "iter N: loss ..." line adds a point, a "step N: ..." line an evaluation. */
    public void line(String line) {
        java.util.regex.Matcher m = ITER.matcher(line);
        if (m.find()) {
            losses.add(new double[] {Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2))});
            iteration(Integer.parseInt(m.group(1)), maxIters, Double.NaN,
                    Double.parseDouble(m.group(3).replace(",", "")));
            return;
        }
        m = STEP.matcher(line);
        if (m.find()) {
            evals.add(new double[] {Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)),
                Double.parseDouble(m.group(3))});
            evaluated(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)));
        }
    }

    private XYChart chartOfLines() {
        XYChart c = Charts.chart("loss", "iteration", "cross-entropy loss");
        if (!losses.isEmpty()) {
            c.addSeries("batch loss", column(losses, 0), column(losses, 1))
                    .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        if (!evals.isEmpty()) {
            c.addSeries("train (estimate_loss)", column(evals, 0), column(evals, 1));
            c.addSeries("val (estimate_loss)", column(evals, 0), column(evals, 2));
        }
        return c;
    }

    private static double[] column(java.util.List<double[]> rows, int k) {
        return rows.stream().mapToDouble(r -> r[k]).toArray();
    }

    @Override
    public void iteration(int iter, int maxIters, double msPerIter, double tokensPerSec) {
        if (firstIter < 0) {
            firstIter = iter;
        }
        this.iter = iter;
        this.maxIters = maxIters;
        this.tokensPerSec = tokensPerSec;
        if (System.nanoTime() - lastDraw >= Math.max(REDRAW_NANOS, 20 * drawNanos)) {
            draw(false);
        }
    }

    @Override
    public void evaluated(int iter, double trainLoss, double valLoss) {
        draw(false);
    }

    @Override
    public void finished() {
        draw(true);
    }

    /** "iter 120/600 · 17,012 tok/s · 0:28 left", or "600 iterations in 35 s" at the end. */
    String progress(boolean done) {
        double secs = (System.nanoTime() - start) / 1e9;
        if (done) {
            return String.format("%d iterations in %.0f s", iter - firstIter + 1, secs);
        }
        if (iter < 0) {
            return "evaluating";
        }
        int doneIters = iter - firstIter + 1;
        long left = Math.round(secs / doneIters * (maxIters - iter));
        return String.format("iter %d/%d · %,.0f tok/s · %d:%02d left", iter, maxIters, tokensPerSec, left / 60,
                left % 60);
    }

    private void draw(boolean done) {
        long t0 = System.nanoTime();
        XYChart chart = source.get();
        chart.setTitle(title + ": " + progress(done));
        if (chart.getSeriesMap().isEmpty()) {
            update.update(id, chart.getTitle()); // nothing logged yet: the line alone
        } else {
            update.update(id, Charts.image(chart));
        }
        lastDraw = System.nanoTime();
        drawNanos = lastDraw - t0;
    }

    /** out without the per-iteration log lines ("iter N: loss ..."), which the chart shows instead. */
    public static PrintStream withoutIterationLines(PrintStream out) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                if (b != '\n') {
                    line.write(b);
                    return;
                }
                String s = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (!s.startsWith("iter ")) {
                    out.println(s);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }
}

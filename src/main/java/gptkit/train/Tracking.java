package gptkit.train;

import gptkit.config.TrainConfig;
import gptkit.plot.Charts;
import gptkit.track.EventFile;
import org.knowm.xchart.XYChart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * --tracking=tensorboard: the run as TensorBoard sees it, written into out_dir as event files
 * (README "Tracking runs"). The config and the samples as text, every number the console prints
 * as a scalar (loss, lr, estimate_loss's train and val, ms/iter, tokens/s, MFU, grad norm, and in
 * float16 the loss scale and skipped steps), the run's charts as images at its end. No server runs
 * while training: TensorBoard reads the files whenever it is started (./gptkit runs).
 * <p>
 * A resumed run adds a file that begins with a SessionLog START at its first iteration: TensorBoard
 * then drops the old files' events from that iteration on, as log.csv drops its rows. Rank 0 only.
 * A file that cannot be written is one warning line; the run goes on untracked.
 */
public final class Tracking implements TrainingListener {
    private static final long FLUSH_NANOS = 2_000_000_000L; // TensorBoard's view lags the run by 2 s at most

    private final Trainer trainer;
    private final PrintStream out;
    private final boolean charts;
    private final boolean float16;
    private EventFile file; // null once a write failed
    private long lastFlush = System.nanoTime();
    private int lastIter;

    private Tracking(Trainer trainer, PrintStream out, TrainConfig cfg) {
        this.trainer = trainer;
        this.out = out;
        this.charts = cfg.charts;
        this.float16 = cfg.dtype.equals("float16");
        this.lastIter = trainer.iterNum();
    }

    /**
     * Starts tracking the trainer's runs when its config asks (tracking=tensorboard) on rank 0:
     * a new event file in out_dir with the config, and a listener. Returns it, or null.
     */
    public static Tracking attach(Trainer trainer, PrintStream out) {
        TrainConfig cfg = trainer.config();
        if (!trainer.isMaster() || cfg.tracking.equals("off")) {
            return null;
        }
        Tracking t = new Tracking(trainer, out, cfg);
        Path dir = trainer.outDir();
        double now = now();
        try {
            t.file = EventFile.create(dir, now);
            t.file.add(EventFile.sessionStart(now, trainer.iterNum()));
            t.file.add(EventFile.text(now, trainer.iterNum(), "config", configTable(cfg.toMap())));
            t.file.flush();
        } catch (IOException | UncheckedIOException e) {
            t.fail(dir, e);
            return null;
        }
        out.println("tracking: TensorBoard events in " + t.file.path() + " (see the runs: ./gptkit runs)");
        trainer.listen(t);
        return t;
    }

    /** The event file (null once tracking stopped on an error). */
    public Path path() {
        return file == null ? null : file.path();
    }

    @Override
    public void logged(int iter, double lr, double loss, double gradNorm, double msPerIter, double tokensPerSec,
                       double mfu) {
        if (file == null) {
            return;
        }
        double t = now();
        lastIter = iter;
        scalar(t, iter, "loss/batch", loss);
        scalar(t, iter, "lr", lr);
        scalar(t, iter, "grad_norm", gradNorm); // NaN (a float16 step skipped) is left out
        scalar(t, iter, "speed/ms_per_iter", msPerIter);
        scalar(t, iter, "speed/tokens_per_s", tokensPerSec);
        if (mfu >= 0) {
            scalar(t, iter, "speed/mfu_percent", mfu * 100);
        }
        if (float16) {
            var s = trainer.scaler().state();
            scalar(t, iter, "amp/loss_scale", s.scale());
            scalar(t, iter, "amp/skipped_steps", s.skippedSteps());
        }
        if (System.nanoTime() - lastFlush > FLUSH_NANOS) {
            flush();
        }
    }

    @Override
    public void evaluated(int iter, double trainLoss, double valLoss) {
        if (file == null) {
            return;
        }
        double t = now();
        lastIter = iter;
        scalar(t, iter, "loss/train", trainLoss);
        scalar(t, iter, "loss/val", valLoss);
        flush();
    }

    @Override
    public void text(int iter, String tag, String text) {
        if (file == null) {
            return;
        }
        file.add(EventFile.text(now(), iter, tag, "```\n" + text + "\n```")); // markdown would join the lines
        flush();
    }

    /** The run's charts (loss.png and lr.png's) as images at its last iteration. */
    @Override
    public void finished() {
        if (file == null) {
            return;
        }
        if (charts && trainer.log().table().rowCount() > 0) {
            try {
                image(lastIter, "charts/loss", Charts.losses(trainer.log().table()));
                image(lastIter, "charts/lr", Charts.learningRate(trainer.log().table()));
            } catch (IOException e) {
                fail(file.path(), e);
                return;
            }
        }
        flush();
    }

    private void scalar(double wallTime, int iter, String tag, double value) {
        if (Double.isFinite(value)) {
            file.add(EventFile.scalar(wallTime, iter, tag, (float) value));
        }
    }

    private void image(int iter, String tag, XYChart chart) throws IOException {
        BufferedImage img = Charts.image(chart);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        file.add(EventFile.image(now(), iter, tag, png.toByteArray(), img.getWidth(), img.getHeight()));
    }

    private void flush() {
        try {
            file.flush();
            lastFlush = System.nanoTime();
        } catch (IOException | UncheckedIOException e) {
            fail(file.path(), e);
        }
    }

    /** One line, then no more tracking in this run: the training itself goes on. */
    private void fail(Path where, Exception e) {
        out.println("warning: tracking: cannot write TensorBoard events to " + where + " (" + e
                + "); the run goes on without tracking");
        file = null;
    }

    /** The config as a markdown table: TensorBoard's text dashboard shows it beside the run. */
    static String configTable(Map<String, Object> config) {
        StringBuilder s = new StringBuilder("| key | value |\n|---|---|\n");
        config.forEach((k, v) -> s.append("| ").append(k).append(" | ")
                .append(String.valueOf(v).replace("|", "\\|").replace("\n", "\\n")).append(" |\n"));
        return s.toString();
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}

package gptkit.plot;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import gptkit.i18n.I18n;
import gptkit.files.SafeFiles;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.Series;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToDoubleFunction;

/**
 * The charts of the kit, made by the same code for the trainer's PNG files and the notebooks'
 * inline images: the learning-rate schedule and the train/val loss curves.
 */
public final class Charts {
    public static final int WIDTH = 720;
    public static final int HEIGHT = 400;

    private Charts() {}

    public static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setMarkerSize(4);
        c.getStyler().setLegendVisible(true);
        return c;
    }

    /** A line of f(it) for it in [0, iters]. */
    public static XYSeries addCurve(XYChart chart, String name, int iters, IntToDoubleFunction f) {
        double[] x = new double[iters + 1];
        double[] y = new double[iters + 1];
        for (int i = 0; i <= iters; i++) {
            x[i] = i;
            y[i] = f.applyAsDouble(i);
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /**
     * The learning rate the run used, from a training log table: one row per logged iteration
     * (columns iter and lr; training-step rows have a loss, evaluation rows a val_loss).
     */
    public static XYChart learningRate(Table log) {
        XYChart c = chart("learning rate", "iteration", "lr");
        c.getStyler().setYAxisDecimalPattern("0.0#####"); // 0.001, not the default's .001
        Table s = rowsWith(log, "loss");
        if (s.rowCount() > 0) {
            c.addSeries("lr", s.intColumn("iter").asDoubleArray(), s.doubleColumn("lr").asDoubleArray())
                    .setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    /** The loss of each logged batch, and estimate_loss's train and val means. */
    public static XYChart losses(Table log) {
        XYChart c = chart("loss", "iteration", "cross-entropy loss");
        Table s = rowsWith(log, "loss");
        if (s.rowCount() > 0) {
            c.addSeries("batch loss", s.intColumn("iter").asDoubleArray(),
                    s.doubleColumn("loss").asDoubleArray()).setMarker(SeriesMarkers.NONE);
        }
        Table e = rowsWith(log, "val_loss");
        if (e.rowCount() > 0) {
            double[] it = e.intColumn("iter").asDoubleArray();
            c.addSeries("train (estimate_loss)", it, e.doubleColumn("train_loss").asDoubleArray());
            c.addSeries("val (estimate_loss)", it, e.doubleColumn("val_loss").asDoubleArray());
        }
        return c;
    }

    /** The columns of log.csv that {@link #compare} draws, and their axis titles. */
    public static final Map<String, String> METRICS = Map.of("val_loss", "val loss (estimate_loss)",
            "train_loss", "train loss (estimate_loss)", "loss", "batch loss", "lr", "lr", "ms", "ms per iteration",
            "tokens_per_s", "tokens/s", "grad_norm", "grad norm");

    /**
     * One column of several runs' log.csv, one line per run named by its out_dir: the offline
     * counterpart of TensorBoard's overlaid curves (./gptkit compare, the notebooks).
     */
    public static XYChart compare(List<Path> outDirs, String column) throws IOException {
        String yTitle = METRICS.get(column);
        if (yTitle == null) {
            throw new IllegalArgumentException("cannot compare '" + column + "': use one of log.csv's columns "
                    + String.join(", ", new java.util.TreeSet<>(METRICS.keySet())));
        }
        XYChart c = chart("compare: " + column, "iteration", yTitle);
        for (Path dir : outDirs) {
            Path csv = dir.resolve("log.csv");
            if (!Files.isRegularFile(csv)) {
                throw new IllegalArgumentException(csv + " does not exist: give out_dirs of trained runs (each "
                        + "holds the log.csv its training wrote)");
            }
            Table log = Table.read().csv(csv.toFile());
            // a run with no such rows yet (no evaluation: Tablesaw reads the empty column as text): no line
            if (!log.columnNames().contains(column) || !(log.column(column) instanceof NumericColumn<?> values)) {
                continue;
            }
            Table rows = log.where(values.isNotMissing());
            XYSeries s = c.addSeries(dir.toString(), rows.numberColumn("iter").asDoubleArray(),
                    rows.numberColumn(column).asDoubleArray());
            VERBATIM.add(dir.toString()); // a run's name is its out_dir: no translation
            s.setMarker(column.endsWith("_loss") ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return c;
    }

    private static Table rowsWith(Table log, String column) {
        return log.where(log.doubleColumn(column).isNotMissing());
    }

    /** The chart as an image: a notebook shows it when it is a cell's last expression. */
    public static BufferedImage image(XYChart chart) {
        roundTicks(chart);
        localize(chart);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** A bar chart as an image, for a notebook's display. */
    public static BufferedImage image(CategoryChart chart) {
        localize(chart);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Writes the chart as a PNG, atomically (a full disk or a crash never leaves half an image). The
     * image is made in memory first: ImageIO's own stream, failing on a full disk, dies again in a
     * thread of its own at exit with a stack trace.
     */
    public static void savePng(XYChart chart, Path file) throws IOException {
        roundTicks(chart);
        localize(chart);
        writePng(chart, file);
    }

    private static void writePng(Chart<?, ?> chart, Path file) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        SafeFiles.writeAtomically(file, out -> out.write(png));
    }

    /**
     * XChart puts the ticks of an axis at data values when it judges the values equally spaced,
     * within an absolute 1e-4: any learning-rate curve passes (labels like .000991029...), and so
     * do iterations 0..2000 (ticks at 0, 182, 364...). One invisible point whose x and y break
     * the even spacing makes it choose round numbers. Call it after the last series is added.
     */
    static void roundTicks(XYChart chart) {
        chart.removeSeries(TICKS);
        List<double[]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        for (XYSeries s : chart.getSeriesMap().values()) {
            xs.add(s.getXData());
            ys.add(s.getYData());
        }
        double x = offGrid(xs);
        double y = offGrid(ys);
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return;
        }
        XYSeries p = chart.addSeries(TICKS, new double[] {x}, new double[] {y});
        p.setMarker(SeriesMarkers.NONE);
        p.setLineStyle(SeriesLines.NONE);
        p.setShowInLegend(false);
    }

    private static final String TICKS = "\u200bround ticks"; // a name no caller picks
    private static final Set<String> VERBATIM = java.util.concurrent.ConcurrentHashMap.newKeySet(); // run names

    /**
     * A value inside the data's range that is not one of its values and, appended after them,
     * is off their spacing; NaN when there is no data.
     */
    private static double offGrid(List<double[]> series) {
        Set<Double> seen = new LinkedHashSet<>();
        for (double[] d : series) {
            for (double v : d) {
                if (Double.isFinite(v)) {
                    seen.add(v);
                }
            }
        }
        if (seen.size() < 2) {
            return Double.NaN;
        }
        Double[] v = seen.toArray(new Double[0]);
        double min = Collections.min(seen);
        double max = Collections.max(seen);
        double step = v[1] - v[0];
        double last = v[v.length - 1];
        for (double f : new double[] {Math.sqrt(2) - 1, (Math.sqrt(5) - 1) / 2, Math.PI - 3, Math.E - 2}) {
            double c = min + f * (max - min); // irrational fractions: no round value of the data
            if (!seen.contains(c) && Math.abs(c - last - step) > 2e-4) {
                return c;
            }
        }
        return Double.NaN;
    }

    /** lr.png and loss.png beside the log. */
    public static void saveAll(Table log, Path outDir) throws IOException {
        savePng(learningRate(log), outDir.resolve("lr.png"));
        savePng(losses(log), outDir.resolve("loss.png"));
    }

    /**
     * Bars: for each category (a tune), one bar per series (a model), e.g. the fraction of sampled
     * poems that have the tune's form. Labels in a script the JVM has no font for (Chinese on a
     * machine without CJK fonts) would be boxes: the caller gives printable labels.
     */
    public static CategoryChart bars(String title, String yTitle, List<String> categories,
                                     Map<String, List<Double>> series) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle)
                .build();
        c.getStyler().setLegendVisible(true);
        c.getStyler().setXAxisLabelRotation(30);
        series.forEach((name, ys) -> c.addSeries(name, categories, ys));
        return c;
    }

    public static void savePng(CategoryChart chart, Path file) throws IOException {
        localize(chart);
        writePng(chart, file);
    }

    /**
     * Whether the charts' font draws every character of s: in Chinese (see {@link I18n}) the
     * charts use Noto Sans SC, which draws the tunes' names; in English the JVM's sans-serif, which
     * draws CJK only on a machine with a CJK font.
     */
    public static boolean canDraw(String s) {
        return font(Font.PLAIN, 12).canDisplayUpTo(s) == -1;
    }

    /**
     * The font of the charts' text: Noto Sans SC in Chinese (from the jar
     * com.helger.font:ph-fonts-noto-sans-sc on the class path: no font of the machine needed),
     * the JVM's sans-serif in English.
     */
    public static Font font(int style, float size) {
        return I18n.zh() ? cjk(style).deriveFont(style, size) : new Font(Font.SANS_SERIF, style, Math.round(size));
    }

    private static final String NOTO = "/fonts/ttf/NotoSansSC/NotoSansSC-%s.ttf";
    private static volatile Font regular;
    private static volatile Font bold;

    private static Font cjk(int style) {
        boolean b = (style & Font.BOLD) != 0;
        Font f = b ? bold : regular;
        if (f == null) {
            f = loadFont(String.format(NOTO, b ? "Bold" : "Regular"));
            if (b) {
                bold = f;
            } else {
                regular = f;
            }
        }
        return f;
    }

    private static synchronized Font loadFont(String resource) {
        try (InputStream in = Charts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path: the charts in Chinese need "
                        + "com.helger.font:ph-fonts-noto-sans-sc (a dependency in pom.xml); rebuild the kit");
            }
            Font f = Font.createFont(Font.TRUETYPE_FONT, in);
            GraphicsEnvironment.getLocalGraphicsEnvironment().registerFont(f);
            return f;
        } catch (IOException | FontFormatException e) {
            throw new IllegalStateException("cannot read the font " + resource + ": " + e.getMessage(), e);
        }
    }

    /**
     * In Chinese: the chart's title, axis titles and series names through {@link I18n#chart}, and its
     * text in the CJK font. Called where a chart becomes pixels, so the notebooks' code (the same in
     * both editions) passes English labels. Nothing changes in English.
     */
    static void localize(Chart<?, ?> chart) {
        if (!I18n.zh()) {
            return;
        }
        chart.setTitle(I18n.chart(chart.getTitle()));
        chart.setXAxisTitle(I18n.chart(chart.getXAxisTitle()));
        chart.setYAxisTitle(I18n.chart(chart.getYAxisTitle()));
        for (Series s : chart.getSeriesMap().values()) {
            if (!s.getName().equals(TICKS) && !VERBATIM.contains(s.getName())) {
                s.setLabel(I18n.chart(s.getLabel()));
            }
        }
        Styler st = chart.getStyler();
        st.setChartTitleFont(inKitFont(st.getChartTitleFont()));
        st.setLegendFont(inKitFont(st.getLegendFont()));
        if (st instanceof AxesChartStyler a) {
            a.setAxisTitleFont(inKitFont(a.getAxisTitleFont()));
            a.setAxisTickLabelsFont(inKitFont(a.getAxisTickLabelsFont()));
        }
    }

    /** The kit's font ({@link #font}) in f's style and size. */
    private static Font inKitFont(Font f) {
        return font(f.getStyle(), f.getSize2D());
    }
}

package gptkit;

import gptkit.config.TrainConfig;
import gptkit.plot.Charts;
import gptkit.schedule.GetLr;
import gptkit.schedule.LrSchedule;
import gptkit.train.TrainingLog;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.lang.reflect.Method;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The charts a student reads: tick labels at round numbers, one legend entry per curve. */
class ChartsTest {
    static TrainingLog cpuRecipeLog() {
        TrainConfig c = TrainConfig.preset("shakespeare_char_cpu");
        TrainingLog log = new TrainingLog();
        for (int i = 0; i <= c.max_iters; i++) {
            log.step(i, LrSchedule.library(c).lr(i), 4.2 - 2.4 * i / c.max_iters, 50, 15_000, 1.0);
        }
        for (int i = 0; i <= c.max_iters; i += c.eval_interval) {
            log.eval(i, LrSchedule.library(c).lr(i), 4.1 - 2.3 * i / c.max_iters, 4.2 - 2.3 * i / c.max_iters);
        }
        return log;
    }

    @Test
    void learningRateAndLossChartsTickAtRoundNumbers() throws Exception {
        TrainingLog log = cpuRecipeLog();
        for (XYChart chart : List.of(Charts.learningRate(log.table()), Charts.losses(log.table()))) {
            Charts.image(chart);
            for (String axis : List.of("getXAxis", "getYAxis")) {
                List<String> labels = tickLabels(chart, axis);
                assertTrue(labels.size() >= 3, chart.getTitle() + " " + axis + ": " + labels);
                double first = parse(labels.get(0));
                double step = parse(labels.get(1)) - first;
                double mantissa = step / Math.pow(10, Math.floor(Math.log10(step)));
                assertTrue(List.of(1.0, 2.0, 2.5, 5.0).stream().anyMatch(m -> Math.abs(m - mantissa) < 1e-6),
                        chart.getTitle() + " " + axis + " ticks every " + step + ": " + labels);
                for (String l : labels) {
                    double k = parse(l) / step;
                    assertEquals(Math.rint(k), k, 1e-6, chart.getTitle() + " " + axis + " tick " + l + " in " + labels);
                }
            }
        }
    }

    @Test
    void theTickHelperIsInvisibleAndOutOfTheLegend() {
        XYChart chart = Charts.losses(cpuRecipeLog().table());
        int curves = chart.getSeriesMap().size();
        Charts.image(chart);
        Charts.image(chart); // drawing twice adds no second helper
        List<XYSeries> hidden = chart.getSeriesMap().values().stream().filter(s -> !s.isShowInLegend()).toList();
        assertEquals(curves + 1, chart.getSeriesMap().size());
        assertEquals(1, hidden.size());
        assertEquals(1, hidden.get(0).getXData().length, "one point");
        assertFalse(chart.getSeriesMap().values().stream().limit(curves).anyMatch(s -> !s.isShowInLegend()),
                "the curves keep their places (and colours) in front of the helper");
    }

    private static double parse(String label) {
        return Double.parseDouble(label.replace(",", ""));
    }

    /** XChart computes tick labels when it draws; its axes are package-private. */
    @SuppressWarnings("unchecked")
    private static List<String> tickLabels(XYChart chart, String axisGetter) throws Exception {
        Method m = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredMethod(axisGetter);
        m.setAccessible(true);
        Object axis = m.invoke(chart);
        Object calc = axis.getClass().getMethod("getAxisTickCalculator").invoke(axis);
        Method labels = calc.getClass().getMethod("getTickLabels");
        labels.setAccessible(true);
        return (List<String>) labels.invoke(calc);
    }
}

package gptkit.plot;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import gptkit.config.TrainConfig;
import gptkit.i18n.I18n;
import gptkit.schedule.LrSchedule;
import gptkit.train.TrainingLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.awt.Font;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The charts in Chinese (gptkit.i18n.I18n): every label through charts_zh.tsv, the text in Noto Sans SC
 * from the font jar (no boxes on a machine without CJK fonts), English unchanged. The PNGs go to
 * target/zh-charts/ for a person to look at.
 */
class ChartsZhTest {
    static final Path OUT = Path.of("target", "zh-charts");

    // the value the run was started with (-Dgptkit.lang=zh): put back, so the rest of the run keeps it
    private final String before = System.getProperty("gptkit.lang");

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty("gptkit.lang");
        } else {
            System.setProperty("gptkit.lang", before);
        }
    }

    static TrainingLog log() {
        TrainConfig c = TrainConfig.preset("shakespeare_char_cpu");
        TrainingLog log = new TrainingLog();
        for (int i = 0; i <= 200; i++) {
            log.step(i, LrSchedule.library(c).lr(i), 4.2 - 1.4 * i / 200, 50, 15_000, 1.0);
        }
        log.eval(0, 1e-3, 4.1, 4.2);
        log.eval(200, 1e-3, 2.7, 2.8);
        return log;
    }

    /** Every text of the chart: its titles and the legend's labels. */
    static List<String> texts(XYChart c) {
        List<String> t = new ArrayList<>(List.of(c.getTitle(), c.getXAxisTitle(), c.getYAxisTitle()));
        c.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).forEach(s -> t.add(s.getLabel()));
        return t;
    }

    static void assertDrawnInChinese(XYChart c) {
        Font f = c.getStyler().getChartTitleFont();
        assertEquals("Noto Sans SC", f.getFamily(), "the title's font");
        for (String s : texts(c)) {
            assertEquals(-1, f.canDisplayUpTo(s), "Noto Sans SC draws every character of " + s);
            assertEquals(-1, c.getStyler().getLegendFont().canDisplayUpTo(s), "the legend's font draws " + s);
        }
    }

    @Test
    void theLibrarysLossChartIsInChinese() throws Exception {
        System.setProperty("gptkit.lang", "zh");
        XYChart c = Charts.losses(log().table());
        Charts.savePng(c, OUT.resolve("losses.png"));
        assertEquals(List.of("损失", "迭代次数", "交叉熵损失", "批次损失", "训练集（estimate_loss）", "验证集（estimate_loss）"),
                texts(c));
        assertDrawnInChinese(c);
    }

    /**
     * The chart calls of a Chinese notebook (notebooks/zh/03_adamw.ipynb, code identical to the
     * English one): each chart drawn with the labels its code passes, all of them in Chinese.
     */
    @Test
    void notebook03sChartsAreInChinese() throws Exception {
        System.setProperty("gptkit.lang", "zh");
        Pattern chart = Pattern.compile("Charts\\.chart\\(\"([^\"]*)\", \"([^\"]*)\", \"([^\"]*)\"\\)");
        Pattern series = Pattern.compile("(?:addSeries|runs\\.put)\\(\"([^\"]*)\"");
        JsonObject nb = new Gson().fromJson(Files.readString(Path.of("notebooks/zh/03_adamw.ipynb")), JsonObject.class);
        int charts = 0;
        Set<String> names = new LinkedHashSet<>();
        Set<String> labels = new LinkedHashSet<>();
        for (JsonElement cell : nb.getAsJsonArray("cells")) {
            StringBuilder code = new StringBuilder();
            cell.getAsJsonObject().getAsJsonArray("source").forEach(l -> code.append(l.getAsString()));
            if (!cell.getAsJsonObject().get("cell_type").getAsString().equals("code")) {
                continue;
            }
            Matcher s = series.matcher(code);
            while (s.find()) {
                names.add(s.group(1));
            }
            Matcher m = chart.matcher(code);
            while (m.find()) {
                XYChart c = Charts.chart(m.group(1), m.group(2), m.group(3));
                labels.addAll(List.of(m.group(1), m.group(2), m.group(3)));
                int k = 0;
                for (String name : names) {
                    c.addSeries(name, new double[] {0, 1, 2}, new double[] {k, k + 1, k++ + 3});
                }
                Charts.savePng(c, OUT.resolve("03_chart_" + ++charts + ".png"));
                assertNotEquals(m.group(1), c.getTitle(), "the title in Chinese");
                assertDrawnInChinese(c);
            }
        }
        assertEquals(3, charts, "notebook 03 draws three charts");
        assertTrue(names.contains("AdamW 0.1, lr 0.1"), names.toString());
        labels.addAll(names);
        labels.retainAll(I18n.untranslated());
        assertEquals(Set.of(), labels, "notebook 03's labels without Chinese");
    }

    @Test
    void aLabelTheTableLacksStaysEnglishAndIsReported() {
        System.setProperty("gptkit.lang", "zh");
        assertEquals("no such label", I18n.chart("no such label"));
        assertTrue(I18n.untranslated().contains("no such label"));
    }

    @Test
    void templatesTranslateTheirParts() {
        System.setProperty("gptkit.lang", "zh");
        assertEquals("峰值 lr 1e-2，预热 100：第 30/60 次迭代 · 1,204 tok/s · 剩余 0:12",
                I18n.chart("peak lr 1e-2, warmup 100: iter 30/60 · 1,204 tok/s · 0:12 left"));
        assertEquals("Tiny Shakespeare：600 次迭代，用时 49 秒", I18n.chart("Tiny Shakespeare: 600 iterations in 49 s"));
        assertEquals("你的（11 个部件中的 3 个）", I18n.chart("yours (3 of 11 parts)"));
    }

    @Test
    void tuneNamesAreDrawnInChineseNotPinyin() {
        System.setProperty("gptkit.lang", "zh");
        assertTrue(Charts.canDraw("浣溪沙 鹧鸪天 减字木兰花"));
    }

    /** Every Chinese label of the table is drawn by Noto Sans SC, which has no fallback in XChart. */
    @Test
    void notoSansScDrawsEveryChineseLabel() throws Exception {
        System.setProperty("gptkit.lang", "zh");
        Font noto = Charts.font(Font.PLAIN, 12);
        int n = 0;
        for (String line : Files.readAllLines(Path.of("src/main/resources/gptkit/i18n/charts_zh.tsv"))) {
            if (line.isBlank() || line.startsWith("#") || line.contains("\u21b5")) {
                continue; // the batch picture's footer (↵): Pictures draws what Noto lacks in sans-serif
            }
            String zh = line.split("\t")[1];
            assertEquals(-1, noto.canDisplayUpTo(zh), "Noto Sans SC cannot draw all of: " + zh);
            n++;
        }
        assertTrue(n > 100, n + " labels");
    }

    @Test
    void englishIsUnchanged() {
        System.setProperty("gptkit.lang", "en");
        XYChart c = Charts.losses(log().table());
        Charts.image(c);
        assertEquals(List.of("loss", "iteration", "cross-entropy loss", "batch loss", "train (estimate_loss)",
                "val (estimate_loss)"), texts(c));
        assertNotEquals("Noto Sans SC", c.getStyler().getChartTitleFont().getFamily());
        assertFalse(I18n.zh());
    }
}

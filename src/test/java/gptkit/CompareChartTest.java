package gptkit;

import gptkit.plot.Charts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./gptkit compare: several runs' log.csv in one chart, one line per out_dir. */
class CompareChartTest {
    private static final String HEADER = "iter,lr,loss,train_loss,val_loss,ms,tokens_per_s,grad_norm\n";

    @Test
    void oneLinePerRunWithItsEvaluations(@TempDir Path dir) throws IOException {
        Path a = run(dir.resolve("lr1e-3"), "0,0.001,,4.2,4.3,,,\n0,0.001,4.1,,,30,1000,2.0\n10,0.001,,3.1,3.2,,,\n");
        Path b = run(dir.resolve("lr3e-3"), "0,0.003,,4.2,4.4,,,\n10,0.003,,2.5,2.6,,,\n20,0.003,,2.1,2.3,,,\n");
        Path none = run(dir.resolve("no-eval"), "0,0.003,4.1,,,30,1000,2.0\n"); // val_loss empty: no line
        XYChart c = Charts.compare(List.of(a, b, none), "val_loss");
        assertEquals(List.of(a.toString(), b.toString()), List.copyOf(c.getSeriesMap().keySet()));
        assertArrayEquals(new double[] {0, 10}, c.getSeriesMap().get(a.toString()).getXData()); // evaluations only
        assertArrayEquals(new double[] {4.3, 3.2}, c.getSeriesMap().get(a.toString()).getYData());
        XYSeries s = c.getSeriesMap().get(b.toString());
        assertArrayEquals(new double[] {0, 10, 20}, s.getXData());
        assertArrayEquals(new double[] {4.4, 2.6, 2.3}, s.getYData());
        Path png = dir.resolve("compare.png");
        Charts.savePng(c, png);
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void aMissingLogOrAnUnknownColumnIsAnErrorThatSaysWhatToGive(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.compare(List.of(dir.resolve("never-trained")), "val_loss"));
        assertTrue(e.getMessage().contains("never-trained/log.csv does not exist"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Charts.compare(List.of(dir), "accuracy"));
        assertTrue(e.getMessage().startsWith("cannot compare 'accuracy'") && e.getMessage().contains("val_loss"),
                e.getMessage());
    }

    private static Path run(Path dir, String rows) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("log.csv"), HEADER + rows);
        return dir;
    }
}

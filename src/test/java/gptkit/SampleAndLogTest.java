package gptkit;

import ai.djl.Device;
import gptkit.data.CharTokenizer;
import gptkit.engine.Engines;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.plot.Charts;
import gptkit.sample.Sample;
import gptkit.train.TrainingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleAndLogTest {

    @Test
    void topOneIsTheArgmaxAndTopKNeverPicksOutsideTheK() {
        float[] logits = {0.1f, 2.5f, -1f, 2.4f, 0f};
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < 200; i++) {
            assertEquals(1, Sample.pick(logits, 1.0, 1, r));
            int k2 = Sample.pick(logits, 1.0, 2, r);
            assertTrue(k2 == 1 || k2 == 3, "top_k=2 picked " + k2);
        }
        // a low temperature sharpens towards the argmax, a high one flattens
        int hits = 0;
        for (int i = 0; i < 1000; i++) {
            hits += Sample.pick(logits, 0.05, 0, r) == 1 ? 1 : 0;
        }
        assertTrue(hits > 850, "temperature 0.05 should almost always pick the argmax, got " + hits);
        assertThrows(IllegalArgumentException.class,
                () -> Sample.generate(null, new int[] {1}, 1, 0.0, 1, r));
    }

    @Test
    void generateAppendsTokensAndCropsToBlockSize() {
        Engines.engine();
        CharTokenizer tok = CharTokenizer.fromText("春江潮水连海平 abc");
        try (GPT model = new GPT(new GPTConfig(4, tok.vocabSize(), 1, 1, 8, 0.0, false), Device.cpu(), 0)) {
            String s = Sample.sample(model, tok, "春江", 10, 0.8, 5, new SplittableRandom(1));
            assertTrue(s.startsWith("春江"));
            assertEquals(12, s.codePointCount(0, s.length()), "prompt plus max_new_tokens characters");
            String again = Sample.sample(model, tok, "春江", 10, 0.8, 5, new SplittableRandom(1));
            assertEquals(s, again, "the same seed gives the same sample");
        }
    }

    @Test
    void logSavesAsCsvReloadsAndDrawsCharts(@TempDir Path dir) throws Exception {
        TrainingLog log = new TrainingLog();
        log.eval(0, 1e-5, 4.2, 4.21);
        log.step(0, 1e-5, 4.19, 50, 15000, 1.5);
        log.step(1, 2e-5, 4.0, 49, 15100, 1.2);
        log.save(dir.resolve("log.csv"));
        TrainingLog back = TrainingLog.load(dir.resolve("log.csv"));
        assertEquals(3, back.table().rowCount());
        assertEquals(2, back.steps().rowCount());
        assertEquals(4.21, back.evals().doubleColumn("val_loss").get(0), 1e-12);
        assertTrue(Files.readString(dir.resolve("log.csv")).startsWith("iter,lr,loss,train_loss,val_loss,ms,tokens_per_s,grad_norm"));
        back.truncateFrom(1);
        assertEquals(2, back.table().rowCount());
        BufferedImage img = Charts.image(Charts.losses(log.table()));
        assertEquals(Charts.WIDTH, img.getWidth());
        assertEquals(Charts.HEIGHT, img.getHeight());
        Charts.saveAll(log.table(), dir);
        assertTrue(Files.size(dir.resolve("lr.png")) > 1000);
        assertTrue(Files.size(dir.resolve("loss.png")) > 1000);
    }
}

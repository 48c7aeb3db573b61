package gptkit;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import gptkit.data.CharTokenizer;
import gptkit.data.GetBatch;
import gptkit.data.Prepare;
import gptkit.data.TokenFile;
import gptkit.engine.Engines;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataTest {
    @TempDir
    Path tmp;

    @Test
    void vocabularyIsTheSortedDistinctCharacters() {
        CharTokenizer tok = CharTokenizer.fromText("hello world");
        assertEquals(" dehlorw", tok.chars());
        assertArrayEquals(new int[] {3, 2, 4, 4, 5}, tok.encode("hello"));
        assertEquals("world hello", tok.decode(tok.encode("world hello")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("hi!"));
        assertTrue(e.getMessage().contains("'i'"), e.getMessage());
    }

    @Test
    void chineseCharactersAreTokensToo() {
        CharTokenizer tok = CharTokenizer.fromText("春江潮水连海平，海上明月共潮生。");
        assertEquals(14, tok.vocabSize());
        assertEquals("春江", tok.decode(tok.encode("春江")));
    }

    @Test
    void prepareSplitsNinetyTenAndRoundTrips() throws Exception {
        StringBuilder sb = new StringBuilder();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        Prepare.Result res = Prepare.prepareText(sb.toString(), tmp);
        assertEquals(26, res.vocabSize());
        assertEquals(900, res.trainTokens());
        assertEquals(100, res.valTokens());
        TokenFile train = TokenFile.open(tmp.resolve("train.bin"));
        TokenFile val = TokenFile.open(tmp.resolve("val.bin"));
        assertEquals(1800, Files.size(tmp.resolve("train.bin")), "uint16: two bytes a token");
        CharTokenizer tok = CharTokenizer.load(tmp.resolve("vocab.txt"));
        int[] ids = new int[(int) (train.length() + val.length())];
        for (int i = 0; i < train.length(); i++) {
            ids[i] = train.get(i);
        }
        for (int i = 0; i < val.length(); i++) {
            ids[(int) train.length() + i] = val.get(i);
        }
        assertEquals(sb.toString(), tok.decode(ids));
    }

    @Test
    void tinyShakespeareGivesNanoGPTsCounts() throws Exception {
        Path src = Path.of(System.getenv().getOrDefault(Prepare.DATA_ENV, "../shared/data"), "tinyshakespeare.txt");
        Assumptions.assumeTrue(Files.exists(src), "set GPTKIT_DATA to a folder with tinyshakespeare.txt");
        Prepare.Result res = Prepare.prepareText(Files.readString(src), tmp);
        assertEquals(65, res.vocabSize());
        assertEquals(1_003_854, res.trainTokens());
        assertEquals(111_540, res.valTokens());
    }

    @Test
    void tooSmallTextAndOversizedVocabularyAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Prepare.prepareText("abc", tmp));
        StringBuilder sb = new StringBuilder();
        for (int cp = 0x4E00; sb.codePointCount(0, sb.length()) <= CharTokenizer.MAX_VOCAB; cp++) {
            sb.appendCodePoint(cp);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CharTokenizer.fromText(sb.toString()));
        assertTrue(e.getMessage().contains("65,535"), e.getMessage());
    }

    @Test
    void getBatchShapesAndShift() throws Exception {
        int[] ids = new int[200];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % 50;
        }
        TokenFile.write(tmp.resolve("t.bin"), ids, 0, ids.length);
        TokenFile data = TokenFile.open(tmp.resolve("t.bin"));
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            NDList xy = GetBatch.getBatch(data, 8, 4, new SplittableRandom(3), m);
            assertEquals(new ai.djl.ndarray.types.Shape(4, 8), xy.get(0).getShape());
            assertEquals(new ai.djl.ndarray.types.Shape(4, 8), xy.get(1).getShape());
            long[] x = xy.get(0).toLongArray();
            long[] y = xy.get(1).toLongArray();
            for (int b = 0; b < 4; b++) {
                for (int t = 0; t < 7; t++) {
                    assertEquals(x[b * 8 + t + 1], y[b * 8 + t], "y is x shifted by one");
                }
                assertEquals((x[b * 8 + 7] + 1) % 50, y[b * 8 + 7], "y's last token is the one after x's window");
            }
            // seeded: the same generator state gives the same batch
            NDList again = GetBatch.getBatch(data, 8, 4, new SplittableRandom(3), m);
            assertArrayEquals(x, again.get(0).toLongArray());
        }
    }

    @Test
    void offsetsCoverExactlyZeroToLenMinusBlock() {
        long len = 40;
        int block = 8;
        boolean[] seen = new boolean[(int) len];
        SplittableRandom rng = new SplittableRandom(42);
        for (int k = 0; k < 2000; k++) {
            for (long i : GetBatch.offsets(len, block, 4, rng)) {
                assertTrue(i >= 0 && i < len - block, "offset " + i + " outside [0, len - block_size)");
                seen[(int) i] = true;
            }
        }
        for (int i = 0; i < len - block; i++) {
            assertTrue(seen[i], "offset " + i + " never drawn");
        }
        assertThrows(IllegalArgumentException.class, () -> GetBatch.offsets(8, 8, 1, rng));
    }

    @Test
    void missingTokenFileSaysRunPrepare() {
        Exception e = assertThrows(java.io.IOException.class, () -> TokenFile.open(tmp.resolve("none.bin")));
        assertTrue(e.getMessage().contains("prepare"), e.getMessage());
    }
}

package gptkit.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.engine.Engines;
import gptkit.TinyCorpus;
import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.data.LossMask;
import gptkit.data.Prepare;
import gptkit.data.SftBatches;
import gptkit.data.SftMask;
import gptkit.songci.SongCiSets;
import gptkit.data.TokenFile;
import gptkit.model.CrossEntropy;
import gptkit.songci.FormMatch;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Supervised fine-tuning: the loss mask, the Song-ci sets and their split, finetune from a base, the form measure. */
public class SftTest {
    @TempDir
    Path tmp;

    @Test
    void maskCountsTheResponseOnly() {
        // s = 1 2 | 3 4 5: targets 2 (a prompt token) masked; 3, 4, 5 counted; the rest is padding
        LossMask.Row r = SftMask.mask(new int[] {1, 2}, new int[] {3, 4, 5}, 6, 9);
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 9}, r.x()); // x = ids[:-1]: the last token is an input too
        assertArrayEquals(new long[] {-1, 3, 4, 5, -1, -1}, r.y());
        // exactly block_size + 1 tokens: no padding
        r = SftMask.mask(new int[] {1, 2, 3}, new int[] {4, 5}, 4, 0);
        assertArrayEquals(new long[] {1, 2, 3, 4}, r.x());
        assertArrayEquals(new long[] {-1, -1, 4, 5}, r.y());
        // too long: the first block_size + 1 tokens are kept, the end of the response is cut
        r = SftMask.mask(new int[] {7}, new int[] {8, 9, 10, 11}, 3, 0);
        assertArrayEquals(new long[] {7, 8, 9}, r.x());
        assertArrayEquals(new long[] {8, 9, 10}, r.y());
        // a prompt longer than the block: nothing to learn in this row
        r = SftMask.mask(new int[] {1, 2, 3, 4}, new int[] {5}, 2, 0);
        assertArrayEquals(new long[] {-1, -1}, r.y());
        assertThrows(IllegalArgumentException.class, () -> SftMask.mask(new int[0], new int[] {1}, 4, 0));
    }

    @Test
    void maskedCrossEntropyIsTheMeanOverTheCountedTargets() {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            SplittableRandom r = new SplittableRandom(3);
            float[] z = new float[2 * 4 * 5];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) r.nextGaussian();
            }
            NDArray logits = m.create(z, new Shape(2, 4, 5));
            long[] y = {-1, 2, 0, -1, -1, -1, 4, 1};
            double loss = CrossEntropy.crossEntropy(logits, m.create(y, new Shape(2, 4))).getFloat();
            assertEquals(byHand(z, y), loss, 1e-5);
            long[] none = {0, 2, 0, 4, 4, 3, 4, 1}; // no -1: the plain mean over all positions
            double all = CrossEntropy.crossEntropy(logits, m.create(none, new Shape(2, 4))).getFloat();
            assertEquals(byHand(z, none), all, 1e-5);
            assertTrue(Math.abs(byHand(z, none) - byHand(z, y)) > 1e-3, "the two cases differ");
        }
    }

    /** The mean of -log softmax(z)[target] over the positions whose target is not -1 (vocabulary 5). */
    static double byHand(float[] z, long[] y) {
        double sum = 0;
        int n = 0;
        for (int p = 0; p < y.length; p++) {
            if (y[p] >= 0) {
                double max = Double.NEGATIVE_INFINITY, s = 0;
                for (int v = 0; v < 5; v++) {
                    max = Math.max(max, z[p * 5 + v]);
                }
                for (int v = 0; v < 5; v++) {
                    s += Math.exp(z[p * 5 + v] - max);
                }
                sum += -(z[p * 5 + (int) y[p]] - max - Math.log(s));
                n++;
            }
        }
        return sum / n;
    }

    /** A corpus in songci.txt's format: two tunes of fixed form, two authors, 60 poems. */
    public static Path songci(Path root) throws IOException {
        StringBuilder sb = new StringBuilder();
        String chars = "春江花月夜风雨山水云";
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 60; i++) {
            boolean a = i % 3 != 0;
            sb.append(a ? "甲调" : "乙调").append(' ').append(i % 2 == 0 ? "苏轼" : "某").append('\n');
            int[] form = a ? new int[] {3, 3} : new int[] {2, 4, 2};
            for (int k = 0; k < form.length; k++) {
                for (int c = 0; c < form[k]; c++) {
                    sb.append(chars.charAt(r.nextInt(chars.length())));
                }
                sb.append(k % 2 == 0 ? "，" : "。\n");
            }
            if (sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
            sb.append('\n');
        }
        Files.createDirectories(root.resolve("songci"));
        Files.writeString(root.resolve("songci/input.txt"), sb.substring(0, sb.length() - 1), StandardCharsets.UTF_8);
        return root;
    }

    @Test
    void songciSetsSplitByPoemWithTheWholeVocabulary() throws IOException {
        Path root = songci(tmp.resolve("data"));
        Prepare.Result poems = Prepare.prepare(SongCiSets.POEMS, root);
        Prepare.Result sft = Prepare.prepare(SongCiSets.SFT, root);
        CharTokenizer a = CharTokenizer.load(root.resolve("songci_poems/vocab.txt"));
        CharTokenizer b = CharTokenizer.load(root.resolve("songci_sft/vocab.txt"));
        assertEquals(a.chars(), b.chars()); // the poems' set knows the headers' characters too
        assertTrue(a.chars().contains("甲") && a.chars().contains(" "));
        String text = Files.readString(root.resolve("songci/input.txt"));
        List<SongCiSets.Poem> all = SongCiSets.parse(text);
        assertEquals(60, all.size());
        String val = a.decode(ids(TokenFile.open(root.resolve("songci_poems/val.bin"))));
        assertTrue(!val.contains("甲") && !val.contains("苏轼"), "no header in the poems' set");
        StringBuilder want = new StringBuilder();
        for (int i = 9; i < 60; i += 10) { // poems 9, 19, ... are held out
            want.append(all.get(i).body());
        }
        assertEquals(want.toString(), val);
        String sftVal = b.decode(ids(TokenFile.open(root.resolve("songci_sft/val.bin"))));
        assertTrue(sftVal.startsWith(all.get(9).prompt() + all.get(9).body()));
        assertEquals(54, SftBatches.find(TokenFile.open(root.resolve("songci_sft/train.bin")),
                b.encode("\n")[0]).size());
        // deterministic: a second prepare is "up to date" and changes nothing
        String sha = sha(root.resolve("songci_sft/train.bin"));
        Prepare.prepare(SongCiSets.SFT, root);
        assertEquals(sha, sha(root.resolve("songci_sft/train.bin")));
        assertEquals(poems.vocabSize(), sft.vocabSize());
    }

    @Test
    void aPoetsSetHoldsOutThePoetsPoemsThatEverySetHoldsOut() throws IOException {
        Path root = songci(tmp.resolve("data"));
        Prepare.Result poet = Prepare.prepare(SongCiSets.POET + "某", root);
        Prepare.prepare(SongCiSets.SFT, root);
        List<SongCiSets.Poem> all = SongCiSets.parse(Files.readString(root.resolve("songci/input.txt")));
        StringBuilder train = new StringBuilder(), val = new StringBuilder();
        for (int i = 1; i < all.size(); i += 2) { // 某 wrote the odd poems, among them every held-out one (9, 19, ...)
            (i % 10 == 9 ? val : train).append(all.get(i).prompt()).append(all.get(i).body());
        }
        CharTokenizer tok = CharTokenizer.load(root.resolve("songci_poet_某/vocab.txt"));
        assertEquals(CharTokenizer.load(root.resolve("songci_sft/vocab.txt")).chars(), tok.chars());
        assertEquals(train.toString(), tok.decode(ids(TokenFile.open(root.resolve("songci_poet_某/train.bin")))));
        assertEquals(val.toString(), tok.decode(ids(TokenFile.open(root.resolve("songci_poet_某/val.bin")))));
        assertEquals(6, val.toString().split("\n\n").length);
        assertEquals(poet.vocabSize(), tok.vocabSize());
        // an author the corpus does not have, and one with nothing held out: a message naming the set and the authors it has
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Prepare.prepare(SongCiSets.POET + "李白", root));
        assertTrue(none.getMessage().contains("the corpus has no poems by '李白'")
                && none.getMessage().contains("songci_poet_某 (30 poems), songci_poet_苏轼 (30 poems)"), none.getMessage());
        IllegalArgumentException unmeasured = assertThrows(IllegalArgumentException.class,
                () -> Prepare.prepare(SongCiSets.POET + "苏轼", root));
        assertTrue(unmeasured.getMessage().contains("none of the 30 poems by '苏轼' is among the held-out ones"),
                unmeasured.getMessage());
    }

    @Test
    void sftBatchesAreWholeExamplesFromTheirPrompt() throws IOException {
        Path root = songci(tmp.resolve("data"));
        Prepare.prepare(SongCiSets.SFT, root);
        CharTokenizer tok = CharTokenizer.load(root.resolve("songci_sft/vocab.txt"));
        TokenFile train = TokenFile.open(root.resolve("songci_sft/train.bin"));
        SftBatches batches = new SftBatches();
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            NDList one = batches.getBatch(train, 24, 5, new SplittableRandom(7), m);
            NDList two = batches.getBatch(train, 24, 5, new SplittableRandom(7), m);
            assertArrayEquals(one.get(0).toLongArray(), two.get(0).toLongArray());
            long[] x = one.get(0).toLongArray();
            long[] y = one.get(1).toLongArray();
            for (int b = 0; b < 5; b++) {
                int[] row = new int[24];
                for (int t = 0; t < 24; t++) {
                    row[t] = (int) x[b * 24 + t];
                }
                String s = tok.decode(row);
                assertTrue(s.startsWith("甲调 ") || s.startsWith("乙调 "), s);
                int prompt = s.indexOf('\n') + 1;
                int len = s.indexOf("\n\n", prompt) + 2; // the example's length: x is padded with newlines
                for (int t = 0; t < 24; t++) {
                    boolean counted = t >= prompt - 1 && t < len - 1; // the response's tokens are the targets
                    assertEquals(counted, y[b * 24 + t] != -1, "row " + b + " t " + t + ": " + s);
                    if (counted) {
                        assertEquals(t + 1 < len - 1 ? x[b * 24 + t + 1] : tok.encode("\n")[0], y[b * 24 + t]);
                    }
                }
            }
        }
    }

    @Test
    void finetuneStartsFromTheBaseLearnsAndLeavesItAlone() throws IOException {
        Path root = songci(tmp.resolve("data"));
        Path base = tmp.resolve("base");
        TrainConfig pre = tiny(root, SongCiSets.POEMS, base);
        try (Trainer t = new Trainer(pre, Parts.library(), TinyCorpus.quiet())) {
            t.run();
        }
        String baseSha = sha(base.resolve("ckpt.bin"));
        Path out = tmp.resolve("sft");
        TrainConfig ft = tiny(root, SongCiSets.SFT, out);
        ft.apply("--init_from=" + base, "--learning_rate=3e-3", "--max_iters=40", "--lr_decay_iters=40");
        Trainer.Result r;
        double first;
        try (Trainer t = new Trainer(ft, Parts.library().with(Part.GET_BATCH, new SftBatches()), TinyCorpus.quiet())) {
            assertEquals(0, t.iterNum());
            r = t.run();
            first = t.log().table().where(t.log().table().doubleColumn("val_loss").isNotMissing())
                    .doubleColumn("val_loss").get(0);
        }
        assertEquals(41, r.iterNum());
        assertTrue(r.lastEval().val() < first - 0.1, "held-out answer loss " + first + " -> " + r.lastEval().val());
        assertEquals(baseSha, sha(base.resolve("ckpt.bin")));
        assertTrue(Files.exists(out.resolve("ckpt.bin")));

        // refused: another architecture, another vocabulary, the base's own folder, no base
        TrainConfig wider = tiny(root, SongCiSets.SFT, tmp.resolve("w"));
        wider.apply("--init_from=" + base, "--n_embd=32");
        assertTrue(refused(wider).contains("--n_embd=32 does not match the base model"));
        Path other = tmp.resolve("other");
        TrainConfig tinyCfg = TinyCorpus.config(other);
        tinyCfg.apply("--max_iters=5");
        try (Trainer t = new Trainer(tinyCfg, Parts.library(), TinyCorpus.quiet())) {
            t.run();
        }
        TrainConfig vocab = tiny(root, SongCiSets.SFT, tmp.resolve("v"));
        vocab.apply("--init_from=" + other, "--n_layer=1", "--n_head=2", "--n_embd=16", "--block_size=16");
        assertTrue(refused(vocab).contains("trained on a vocabulary of"), refused(vocab));
        TrainConfig self = tiny(root, SongCiSets.SFT, base);
        self.apply("--init_from=" + base);
        assertTrue(refused(self).contains("would overwrite the base model"));
        TrainConfig none = tiny(root, SongCiSets.SFT, tmp.resolve("n"));
        none.apply("--init_from=" + tmp.resolve("nothing"));
        assertTrue(refused(none).contains("is neither 'scratch', 'resume' nor the out_dir"));
        assertEquals(baseSha, sha(base.resolve("ckpt.bin")));
    }

    @Test
    void formsAreCountedOnHandMadePoems() {
        assertEquals(List.of(7, 7, 7, 7, 7, 7), FormMatch.clauses("一二三四五六七，一二三四五六七。一二三四五六七。\n"
                + "一二三四五六七，一二三四五六七。一二三四五六七。"));
        assertEquals(List.of(2, 3, 1), FormMatch.clauses("一二、三四五？\n六"));
        assertEquals(List.of(), FormMatch.clauses("。\n，"));
        List<SongCiSets.Poem> poems = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // tune A: 4 of 5 in form (3,3), authors X (3), Y (1), 无名氏 (1)
            poems.add(new SongCiSets.Poem("A", i < 3 ? "X" : i == 3 ? "Y" : "无名氏",
                    List.of(i == 4 ? "一二，三四五。" : "一二三，四五六。")));
        }
        for (int i = 0; i < 4; i++) { // tune B: 3 of 4 in form (2)
            poems.add(new SongCiSets.Poem("B", "Z", List.of(i < 3 ? "一二。" : "一。")));
        }
        poems.add(new SongCiSets.Poem("C", "W", List.of("一。")));
        List<FormMatch.Form> forms = FormMatch.usualForms(poems, 10, 0.5, 2);
        assertEquals(3, forms.size());
        assertEquals(new FormMatch.Form("A", List.of(3, 3), 5, 4, List.of("X", "Y")), forms.get(0));
        assertEquals(new FormMatch.Form("B", List.of(2), 4, 3, List.of("Z")), forms.get(1));
        assertEquals(List.of("A", "C"), FormMatch.usualForms(poems, 10, 0.8, 2).stream().map(FormMatch.Form::tune)
                .toList()); // B's 0.75 is below 0.8
        assertEquals(List.of("A"), FormMatch.usualForms(poems, 1, 0.8, 2).stream().map(FormMatch.Form::tune).toList());
        // partial credit: clause positions of the right length, over the longer sequence
        List<Integer> huanxisha = List.of(7, 7, 7, 7, 7, 7);
        assertEquals(1.0, FormMatch.clauseScore(huanxisha, huanxisha));
        assertEquals(4.0 / 6, FormMatch.clauseScore(List.of(7, 6, 7, 7, 8, 7), huanxisha), 1e-12);
        assertEquals(6.0 / 8, FormMatch.clauseScore(List.of(7, 7, 7, 7, 7, 7, 5, 5), huanxisha), 1e-12); // two extra
        assertEquals(2.0 / 6, FormMatch.clauseScore(List.of(7, 7), huanxisha), 1e-12); // four missing
        assertEquals(5.0 / 7, FormMatch.clauseScore(List.of(5, 7, 7, 7, 7, 7, 7), huanxisha), 1e-12); // position by position
        assertEquals(0.0, FormMatch.clauseScore(List.of(5, 5), huanxisha));
        assertEquals(0.0, FormMatch.clauseScore(List.of(), huanxisha));
    }

    public static TrainConfig tiny(Path data, String dataset, Path out) {
        TrainConfig c = TrainConfig.preset("default");
        c.apply("--dataset=" + dataset, "--data_dir=" + data, "--out_dir=" + out, "--n_layer=1", "--n_head=2",
                "--n_embd=16", "--block_size=24", "--batch_size=8", "--gradient_accumulation_steps=1",
                "--max_iters=60", "--eval_interval=20", "--eval_iters=4", "--dropout=0", "--learning_rate=1e-2",
                "--warmup_iters=5", "--lr_decay_iters=60", "--min_lr=1e-3", "--device=cpu", "--progress=false",
                "--charts=false");
        return c;
    }

    static String refused(TrainConfig c) {
        return assertThrows(IllegalArgumentException.class,
                () -> new Trainer(c, Parts.library().with(Part.GET_BATCH, new SftBatches()), TinyCorpus.quiet()).close())
                .getMessage();
    }

    static int[] ids(TokenFile f) {
        int[] ids = new int[(int) f.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = f.get(i);
        }
        return ids;
    }

    static String sha(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

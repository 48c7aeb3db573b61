package gptkit.reliability;

import gptkit.TinyCorpus;
import gptkit.config.Footprint;
import gptkit.config.TrainConfig;
import gptkit.data.Prepare;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.sample.Sample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 21: every command's keys and flags checked up front; nothing silently accepted, no stack trace. */
class ValidationReliabilityTest {
    @TempDir
    static Path shared;
    static Path model; // a tiny model on dataset "tiny", trained once

    @BeforeAll
    static void trainOnce() {
        model = shared.resolve("tiny-model");
        Cli c = Cli.run(Cli.trainArgs(model));
        assertEquals(0, c.code, c.err);
    }

    static String refused(String... setting) {
        TrainConfig c = TrainConfig.preset("shakespeare_char_cpu");
        c.apply(setting);
        return assertThrows(IllegalArgumentException.class, c::validate, String.join(" ", setting)).getMessage();
    }

    static void assertHas(String message, String... words) {
        for (String w : words) {
            assertTrue(message.contains(w), "want '" + w + "' in: " + message);
        }
    }

    // 1. every numeric key: finite, and in its range
    @Test
    void everyNumericKeyIsFiniteAndInRange() {
        String[][] bad = {
            {"--learning_rate=1e309", "learning_rate", "Infinity"}, {"--learning_rate=NaN", "learning_rate"},
            {"--min_lr=-1e-5", "min_lr"}, {"--min_lr=Infinity", "min_lr"}, {"--beta1=1.0", "beta1", "[0, 1)"},
            {"--beta2=-0.1", "beta2"}, {"--beta2=NaN", "beta2"}, {"--weight_decay=-0.1", "weight_decay"},
            {"--grad_clip=-1", "grad_clip"}, {"--dropout=NaN", "dropout"}, {"--peak_flops=0", "peak_flops"},
            {"--lora_alpha=Infinity", "lora_alpha"}, {"--warmup_iters=-1", "warmup_iters"},
            {"--lr_decay_iters=-5", "lr_decay_iters"}, {"--gradient_accumulation_steps=0", "gradient_accumulation_steps"},
            {"--log_interval=0", "log_interval"}, {"--eval_interval=0", "eval_interval"}, {"--n_layer=0", "n_layer"},
            {"--ddp_timeout=0", "ddp_timeout"}, {"--ddp_timeout=2000000000", "ddp_timeout"},
            {"--lora_rank=-1", "lora_rank"}, {"--lora_rank=1000", "lora_rank", "n_embd"},
            {"--device=cuda:abc", "device", "cuda:N"}, {"--device=gpu", "device"}, {"--dataset=", "dataset"},
            {"--data_dir=", "data_dir"},
        };
        for (String[] b : bad) {
            assertHas(refused(b[0]), Arrays.copyOfRange(b, 1, b.length));
        }
        // the edges that are allowed
        TrainConfig ok = TrainConfig.preset("shakespeare_char_cpu");
        ok.apply("--beta1=0", "--weight_decay=0", "--grad_clip=0", "--min_lr=0", "--dropout=0", "--device=cuda:1");
        ok.validate();
    }

    @Test
    void aKeyOutOfRangeOnTheCommandLineIsOneLine() {
        assertHas(Cli.run(Cli.trainArgs(shared.resolve("x"), "--learning_rate=1e309")).oneLineError(),
                "learning_rate", "finite");
        assertHas(Cli.run(Cli.trainArgs(shared.resolve("x"), "--beta1=1.0")).oneLineError(), "beta1", "[0, 1)");
        assertFalse(Files.exists(shared.resolve("x")), "nothing written");
    }

    // 1. sizes whose products overflow an int or pass memory: refused before anything is allocated
    @Test
    void sizesThatOverflowAnIntAreRefusedWithWhatFits() {
        assertHas(refused("--block_size=100000"), "block_size=100000", "causal mask", "10,000,000,000",
                "40.0 GB", "At most block_size=23170");
        assertHas(refused("--n_embd=65536", "--n_head=1"), "n_embd=65536", "mlp.c_fc", "At most n_embd=11585");
        assertHas(refused("--n_layer=300", "--n_embd=1024", "--n_head=16"), "parameters", "ckpt.bin",
                "at most n_layer=");
        String e = Cli.run(Cli.trainArgs(shared.resolve("big"), "--block_size=100000")).oneLineError();
        assertHas(e, "block_size=100000", "At most block_size=");
        // a model built any other way (a checkpoint's model_args, a notebook) meets the same rule
        assertHas(assertThrows(IllegalArgumentException.class, () -> new GPTConfig(100000, 65, 1, 1, 4, 0, false))
                .getMessage(), "causal mask");
        assertHas(assertThrows(IllegalArgumentException.class, () -> new GPTConfig(64, 200_000, 1, 1, 4096, 0, false))
                .getMessage(), "vocabulary of 200000", "transformer.wte");
    }

    @Test
    void aStepLargerThanMemoryIsRefusedWithTheBatchThatFits() {
        Footprint f = Footprint.training(1024, 65, 12, 12, 768, false, 64, true, "float32");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.check(4L << 30));
        assertHas(e.getMessage(), "batch_size=64", "4.3 GB", "At most batch_size=", "gradient_accumulation_steps",
                "or block_size=");
        int fits = Integer.parseInt(e.getMessage().replaceAll(".*At most batch_size=(\\d+).*", "$1"));
        Footprint.training(1024, 65, 12, 12, 768, false, fits, true, "float32").check(4L << 30);
        assertThrows(IllegalArgumentException.class,
                () -> Footprint.training(1024, 65, 12, 12, 768, false, fits + 1, true, "float32").check(4L << 30));
    }

    @Test
    void theParameterCountIsGptsOwn() {
        for (boolean bias : new boolean[] {false, true}) {
            GPTConfig a = new GPTConfig(32, 65, 3, 4, 48, 0, bias);
            long want = GPT.shapes(a).values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (x, y) -> x * y)).sum();
            assertEquals(want, Footprint.training(32, 65, 3, 4, 48, bias, 1, true, "float32").params());
        }
    }

    // 3. a key given twice
    @Test
    void aKeyGivenTwiceIsAnErrorNamingBothValues(@TempDir Path tmp) throws IOException {
        TrainConfig c = TrainConfig.preset("default");
        assertHas(assertThrows(IllegalArgumentException.class, () -> c.apply("--max_iters=5", "--max_iters=10"))
                .getMessage(), "--max_iters", "twice", "--max_iters=5", "--max_iters=10");
        assertHas(Cli.run("train", "shakespeare_char_cpu", "--max_iters=5", "--device=cpu", "--max_iters=10")
                .oneLineError(), "--max_iters=5", "--max_iters=10");
        Path f = tmp.resolve("mine.conf");
        Files.writeString(f, "base = shakespeare_char_cpu\nmax_iters = 300  # first\nn_layer = 2\nmax_iters = 400\n");
        assertHas(assertThrows(IllegalArgumentException.class, () -> TrainConfig.preset(f.toString())).getMessage(),
                "mine.conf", "max_iters", "twice", "line 2 (max_iters = 300)", "line 4 (max_iters = 400)");
        // a file's own line over its base's, and an override over the file, are what they are for
        Files.writeString(f, "base = shakespeare_char_cpu\nmax_iters = 300\n");
        TrainConfig ok = TrainConfig.preset(f.toString());
        ok.apply("--max_iters=7");
        assertEquals(7, ok.max_iters);
        for (String p : TrainConfig.PRESETS) {
            TrainConfig.preset(p); // no preset sets a key twice
        }
    }

    // 2. sample's flags
    @Test
    void samplesFlagsAreCheckedBeforeAnythingIsPrinted() {
        String dir = "--out_dir=" + model;
        String[][] bad = {
            {"--max_new_tokens=-5", "--max_new_tokens=-5"}, {"--max_new_tokens=0", "between 1 and"},
            {"--max_new_tokens=2147483647", "--max_new_tokens=2147483647", "heap"},
            {"--num_samples=-1", "--num_samples=-1"}, {"--num_samples=0", "--num_samples"},
            {"--temperature=NaN", "--temperature=NaN"}, {"--temperature=1e-320", "at least 0.001"},
            {"--temperature=-1", "--temperature"}, {"--temperature=Infinity", "finite"}, {"--top_k=-1", "--top_k=-1"},
            {"--start=\u00e9", "--start", "U+00E9", model.toString()}, {"--device=cuda:x", "cuda:x"},
        };
        for (String[] b : bad) {
            Cli c = Cli.run("sample", dir, b[0]);
            assertHas(c.oneLineError(), Arrays.copyOfRange(b, 1, b.length));
            assertEquals("", c.out, b[0] + " printed something");
        }
        // what picocli refuses itself: one line too, not the usage
        assertHas(Cli.run("sample", dir, "--num_samples=abc").oneLineError(), "--num_samples", "abc", "--help");
        assertHas(Cli.run("sample", dir, "--seed=5", "--seed=6").oneLineError(), "--seed", "once");
        Cli ok = Cli.run("sample", dir, "--start=to", "--max_new_tokens=5", "--num_samples=1", "--top_k=0");
        assertEquals(0, ok.code, ok.err);
        assertTrue(ok.out.startsWith("to") && ok.out.lines().findFirst().orElse("").length() >= 2, ok.out);
    }

    @Test
    void brokenLogitsAreAnErrorNotTheLastToken() {
        SplittableRandom r = new SplittableRandom(1);
        assertThrows(IllegalStateException.class, () -> Sample.pick(new float[] {1, Float.NaN, 2}, 1.0, 0, r));
        assertThrows(IllegalStateException.class,
                () -> Sample.pick(new float[] {1, Float.POSITIVE_INFINITY, 2}, 1.0, 0, r));
        assertEquals(2, Sample.pick(new float[] {1, 0, 50}, 1e-3, 0, r));
    }

    // 2. train --sample on a corpus without a newline: checked before training, starts from a character it has
    @Test
    void trainSampleOnACorpusWithoutANewlineStartsFromItsFirstCharacter(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Prepare.prepareText(DataReliabilityTest.text(3, "abc de"), data.resolve("flat"));
        Cli c = Cli.run(Cli.trainArgs(tmp.resolve("out"), "--data_dir=" + data, "--dataset=flat", "--sample=20"));
        assertEquals(0, c.code, c.err);
        int note = c.out.indexOf("--sample: the vocabulary of flat has no newline; the sample starts from ' '");
        assertTrue(note >= 0 && note < c.out.indexOf("done:"), c.out);
        assertHas(Cli.run(Cli.trainArgs(tmp.resolve("out2"), "--sample=-1")).oneLineError(), "--sample=-1");
        assertHas(Cli.run("finetune", "songci_sft_cpu", "--num_samples=-1").oneLineError(), "--num_samples=-1");
    }

    // 4. form-match on a model that is not Song ci, and on data without a tune of fixed form
    @Test
    void formMatchNeedsASongCiModelAndTunesToMeasure(@TempDir Path tmp) throws IOException {
        String e = Cli.run("form-match", model.toString(), "--device=cpu").oneLineError();
        assertHas(e, model.toString(), "dataset 'tiny'", "Song", "songci_poems_cpu", "finetune songci_sft_cpu");
        assertFalse(Files.exists(model.resolve("form-match.csv")));
        // a "songci" model whose data holds no poem: one line, not a table of NaN and an IndexOutOfBounds
        Path data = tmp.resolve("data");
        Prepare.prepareText(DataReliabilityTest.text(4, "abc de"), data.resolve("songci_flat"));
        Path out = tmp.resolve("out");
        Cli t = Cli.run(Cli.trainArgs(out, "--data_dir=" + data, "--dataset=songci_flat"));
        assertEquals(0, t.code, t.err);
        e = Cli.run("form-match", out.toString(), "--base=none", "--dataset=songci_flat", "--data_dir=" + data,
                "--device=cpu").oneLineError();
        assertHas(e, "songci_flat", "no tune", "--min_share");
        for (String[] b : List.of(new String[] {"--num_samples=0", "--num_samples=0"}, new String[] {"--tunes=-1", "--tunes"},
                new String[] {"--min_share=NaN", "--min_share"}, new String[] {"--min_share=1.5", "--min_share"},
                new String[] {"--temperature=0", "--temperature"}, new String[] {"--authors=0", "--authors"})) {
            assertHas(Cli.run("form-match", out.toString(), b[0]).oneLineError(), b[1]);
        }
    }

    // 5. prepare of an empty file names it
    @Test
    void anEmptyTextIsNamed(@TempDir Path tmp) throws IOException {
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "");
        assertHas(Cli.run("prepare", "--text=" + empty, "--data_dir=" + tmp.resolve("data")).oneLineError(),
                empty.toString(), "0 characters", "at least");
    }

    // the other commands' flags
    @Test
    void benchAndTorchrunFlagsAreChecked() {
        assertHas(Cli.run("bench", "shakespeare_char_cpu", "--iters=0").oneLineError(), "--iters=0");
        assertHas(Cli.run("bench", "shakespeare_char_cpu", "--warmup=-1").oneLineError(), "--warmup=-1");
        assertHas(Cli.run("bench", "shakespeare_char_cpu", "--max_iters=100").oneLineError(), "--max_iters=100",
                "--iters");
        assertHas(Cli.run("torchrun", "--nproc-per-node=0", "train", "x").oneLineError(), "--nproc-per-node=0");
        assertHas(Cli.run("torchrun", "--master-port=70000", "--node-rank=1", "--nnodes=2", "train", "x")
                .oneLineError(), "--master-port=70000");
        assertHas(Cli.run("torchrun", "--timeout=0", "train", "x").oneLineError(), "--timeout=0");
    }

    // the advice for an out_dir in use never names that same folder
    @Test
    void theAdviceForAnOutDirInUseNamesAFreeOne(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Prepare.prepareText(DataReliabilityTest.text(5, "abcd ef\n"), data.resolve("story"));
        Path out = tmp.resolve("out-story");
        assertEquals(0, Cli.run(Cli.trainArgs(out, "--data_dir=" + data, "--dataset=story")).code);
        Prepare.prepareText(DataReliabilityTest.text(6, "xyz uv\n"), data.resolve("story")); // another vocabulary
        String e = Cli.run(Cli.trainArgs(out, "--data_dir=" + data, "--dataset=story")).oneLineError();
        assertHas(e, "vocabulary", "--out_dir=" + tmp.resolve("out-story-2"));
        assertFalse(e.contains("--out_dir=" + out + ")"), e);
    }
}

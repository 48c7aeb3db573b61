package gptkit;

import gptkit.config.TrainConfig;
import gptkit.data.Prepare;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** A small corpus of our own (dataset "tiny"), prepared once per test JVM, and a tiny config on it. */
public final class TinyCorpus {
    private static Path dataDir;

    private TinyCorpus() {}

    public static synchronized Path dataDir() {
        if (dataDir == null) {
            try {
                Path dir = Files.createTempDirectory("gptkit-tiny");
                StringBuilder sb = new StringBuilder();
                SplittableRandom r = new SplittableRandom(9);
                String[] words = {"to ", "be ", "or ", "not ", "that ", "is ", "the ", "question\n", "whether ", "tis "};
                while (sb.length() < 20_000) {
                    sb.append(words[r.nextInt(words.length)]);
                }
                Prepare.prepareText(sb.toString(), dir.resolve("tiny"));
                dataDir = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dataDir;
    }

    /** A one-layer model on the tiny corpus: 20 iterations, eval every 5, dropout 0.1. */
    public static TrainConfig config(Path out) {
        TrainConfig c = TrainConfig.preset("default");
        c.apply("--dataset=tiny", "--data_dir=" + dataDir(), "--out_dir=" + out, "--n_layer=1", "--n_head=2",
                "--n_embd=16", "--block_size=16", "--batch_size=4", "--gradient_accumulation_steps=2",
                "--max_iters=20", "--eval_interval=5", "--eval_iters=2", "--dropout=0.1", "--learning_rate=3e-3",
                "--warmup_iters=4", "--lr_decay_iters=20", "--min_lr=3e-4", "--device=cpu", "--progress=false",
                "--charts=false");
        return c;
    }

    public static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }
}

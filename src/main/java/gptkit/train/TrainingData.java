package gptkit.train;

import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.data.Prepare;
import gptkit.data.TokenFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A run's dataset: data_dir/dataset's vocabulary and token files, prepared first when missing. */
record TrainingData(Path dir, CharTokenizer tokenizer, TokenFile train, TokenFile val) {
    static TrainingData open(TrainConfig cfg) throws IOException {
        Path dir = Path.of(cfg.data_dir, cfg.dataset);
        if (!Files.exists(dir.resolve("train.bin"))) {
            Prepare.prepare(cfg.dataset, Path.of(cfg.data_dir));
        }
        return new TrainingData(dir, CharTokenizer.load(dir.resolve("vocab.txt")), TokenFile.open(dir.resolve(
                "train.bin")), TokenFile.open(dir.resolve("val.bin")));
    }

    /** Both splits must hold more tokens than a block. */
    void requireTokens(int blockSize) {
        for (TokenFile f : new TokenFile[] {train, val}) {
            if (f.length() <= blockSize) {
                throw new IllegalArgumentException(String.format(
                        "%s has %,d tokens, too few for block_size=%d. Use a larger corpus or a smaller --block_size.",
                        f.path(), f.length(), blockSize));
            }
        }
    }
}

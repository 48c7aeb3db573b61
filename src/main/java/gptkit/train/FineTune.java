package gptkit.train;

import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.model.GPTConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * init_from=&lt;out_dir of a trained model&gt;: nanoGPT's fine-tuning start (its init_from='gpt2'
 * with a model of our own). The base's architecture and weights, not its optimizer state or
 * iteration (the run starts at 0 with a fresh AdamW); its vocabulary must be the dataset's, and
 * the run writes into its own out_dir, never into the base's.
 */
final class FineTune {
    private FineTune() {}

    /** The base's ckpt.bin, after checking it is there and is not the checkpoint this run would overwrite. */
    static Path baseCheckpoint(String initFrom, Path outDir) throws IOException {
        Path base = Path.of(initFrom);
        Path file = base.resolve(Checkpoint.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(String.format("init_from=%s is neither 'scratch', 'resume' nor the "
                    + "out_dir of a trained model: %s does not exist. Give the folder of the pre-trained model "
                    + "(e.g. --init_from=out-songci-poems, after ./gptkit train songci_poems_cpu).", initFrom, file));
        }
        if (Files.isDirectory(outDir) && Files.isSameFile(base, outDir)) {
            throw new IllegalArgumentException(String.format("init_from=%s is this run's out_dir: fine-tuning would "
                    + "overwrite the base model's checkpoint. Give the fine-tuned model its own --out_dir.", initFrom));
        }
        return file;
    }

    /**
     * The base's architecture (with this run's dropout), after checking it fits this run's config and
     * data. baseDir is init_from, or for a LoRA run resumed the base its lora.bin names.
     */
    static GPTConfig baseArgs(Checkpoint.Loaded ckpt, String baseDir, TrainConfig cfg, CharTokenizer tokenizer,
                              Path outDir, PrintStream out) throws IOException {
        boolean lora = cfg.lora_rank > 0;
        out.println(lora ? "LoRA adapters on the model in " + baseDir + " (its weights frozen)"
                : "Fine-tuning the model in " + baseDir + " (its weights; a fresh optimizer, iteration 0)");
        GPTConfig saved = ckpt.header().model_args;
        Map<String, Object> base = Map.of("n_layer", saved.n_layer(), "n_head", saved.n_head(),
                "n_embd", saved.n_embd(), "block_size", saved.block_size(), "bias", saved.bias());
        Map<String, Object> have = cfg.toMap();
        for (String key : List.of("n_layer", "n_head", "n_embd", "block_size", "bias")) {
            if (!base.get(key).equals(have.get(key))) {
                throw new IllegalArgumentException(String.format("--%s=%s does not match the base model in %s, which "
                        + "has %s=%s: fine-tuning keeps the base's architecture. Use --%s=%s (or a preset whose "
                        + "shape is the base's), or init from a model of this shape.", key, have.get(key),
                        baseDir, key, base.get(key), key, base.get(key)));
            }
        }
        String vocab = ckpt.header().vocab;
        if (vocab == null || saved.vocab_size() != tokenizer.vocabSize() || !vocab.equals(tokenizer.chars())) {
            Object dataset = ckpt.header().config == null ? "?" : ckpt.header().config.get("dataset");
            throw new IllegalArgumentException(String.format("The base model in %s was trained on a vocabulary of %d "
                    + "characters (dataset '%s'); data/%s has %d%s. Its token ids would mean other characters. "
                    + "Fine-tune on data tokenized with the base's vocabulary (songci_poems and songci_sft share "
                    + "songci.txt's), or pre-train a base on this dataset's vocabulary.", baseDir,
                    saved.vocab_size(), dataset, cfg.dataset, tokenizer.vocabSize(),
                    saved.vocab_size() == tokenizer.vocabSize() ? " (other characters)" : ""));
        }
        if (!cfg.init_from.equals("resume")) { // a fresh run: refuse an out_dir holding another dataset's checkpoint
            OutDir.checkOwnership(outDir, cfg.dataset, tokenizer.chars(), cfg.overwrite_out_dir);
        }
        return new GPTConfig(saved.block_size(), saved.vocab_size(), saved.n_layer(), saved.n_head(),
                saved.n_embd(), cfg.dropout, saved.bias());
    }
}

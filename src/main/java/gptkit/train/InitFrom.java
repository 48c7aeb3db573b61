package gptkit.train;

import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.CheckpointStore;
import gptkit.checkpoint.DataIdentity;
import gptkit.checkpoint.WorldSizeChange;
import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.outdir.OutDir;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * train.py's init_from: where a run's model starts. "scratch": the config's architecture, fresh
 * weights. "resume": out_dir's own checkpoint (the architecture, weights, optimizer, iteration; a
 * LoRA run's lora.bin names the base it adapts). Any other value is the out_dir of a trained model
 * to fine-tune (nanoGPT's init_from='gpt2' with a model of our own): its architecture and weights,
 * not its optimizer state or iteration; its vocabulary must be the dataset's, and the run writes into
 * its own out_dir, never into the base's.
 */
final class InitFrom {
    private final GPTConfig args;
    private final Checkpoint.Loaded base; // weights to start from (null: fresh, or the resumed file's own)
    private final String baseDir;
    private final Checkpoint.Loaded resumed; // out_dir's checkpoint on a resume, else null
    private final Path resumedFile;

    private InitFrom(GPTConfig args, Checkpoint.Loaded base, String baseDir, Checkpoint.Loaded resumed,
                     Path resumedFile) {
        this.args = args;
        this.base = base;
        this.baseDir = baseDir;
        this.resumed = resumed;
        this.resumedFile = resumedFile;
    }

    /** Reads what cfg.init_from names and checks it fits the config and data; prints where the run starts. */
    static InitFrom of(TrainConfig cfg, Path outDir, CheckpointStore store, CharTokenizer tok, boolean master,
                       PrintStream out) throws IOException {
        if (cfg.init_from.equals("scratch")) {
            out.println("Initializing a new model from scratch");
            if (master) { // a fresh run would overwrite another dataset's checkpoint at its first save (rank 0 saves)
                OutDir.checkOwnership(outDir, cfg.dataset, tok.chars(), cfg.overwrite_out_dir);
            }
            return new InitFrom(new GPTConfig(cfg.block_size, tok.vocabSize(), cfg.n_layer, cfg.n_head, cfg.n_embd,
                    cfg.dropout, cfg.bias), null, null, null, null);
        }
        boolean resume = cfg.init_from.equals("resume");
        Checkpoint.Loaded own = resume ? TrainState.read(cfg, outDir, store) : null;
        Path ownFile = resume ? outDir.resolve(TrainState.fileName(cfg)) : null;
        if (own != null && own.header().lora == null) { // ckpt.bin: the run's own weights, architecture and vocabulary
            out.println("Resuming training from " + outDir);
            requireArchitecture(own.header().model_args, cfg, (key, have, want) -> String.format("--%s=%s contradicts "
                    + "the checkpoint in %s, which has %s=%s: resume with the checkpoint's architecture (--%s=%s, or "
                    + "the config it was trained with), or train from scratch into another --out_dir.", key, have,
                    outDir, key, want, key, want));
            if (own.header().vocab != null && !own.header().vocab.equals(tok.chars())) {
                throw new IllegalArgumentException("The checkpoint in " + outDir + " was trained on a different "
                        + "vocabulary than data/" + cfg.dataset + ": resume with the dataset it was trained on.");
            }
            return new InitFrom(withDropout(own.header().model_args, cfg), null, null, own, ownFile);
        }
        // a base model: init_from=DIR, or the base a resumed lora.bin names
        String dir = own != null ? own.header().lora.base_dir : cfg.init_from;
        Checkpoint.Loaded base = store.load(baseCheckpoint(dir, outDir));
        GPTConfig args = baseArgs(base, dir, cfg, tok, outDir, out);
        return new InitFrom(args, base, dir, own, ownFile);
    }

    /** The base's ckpt.bin, after checking it is there and is not the checkpoint this run would overwrite. */
    private static Path baseCheckpoint(String initFrom, Path outDir) throws IOException {
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

    /** The base's architecture (with this run's dropout), after checking it fits this run's config and data. */
    private static GPTConfig baseArgs(Checkpoint.Loaded ckpt, String baseDir, TrainConfig cfg, CharTokenizer tok,
                                      Path outDir, PrintStream out) throws IOException {
        out.println(cfg.lora_rank > 0 ? "LoRA adapters on the model in " + baseDir + " (its weights frozen)"
                : "Fine-tuning the model in " + baseDir + " (its weights; a fresh optimizer, iteration 0)");
        GPTConfig saved = ckpt.header().model_args;
        requireArchitecture(saved, cfg, (key, have, want) -> String.format("--%s=%s does not match the base model "
                + "in %s, which has %s=%s: fine-tuning keeps the base's architecture. Use --%s=%s (or a preset whose "
                + "shape is the base's), or init from a model of this shape.", key, have, baseDir, key, want, key,
                want));
        String vocab = ckpt.header().vocab;
        if (vocab == null || saved.vocab_size() != tok.vocabSize() || !vocab.equals(tok.chars())) {
            Object dataset = ckpt.header().config == null ? "?" : ckpt.header().config.get("dataset");
            throw new IllegalArgumentException(String.format("The base model in %s was trained on a vocabulary of %d "
                    + "characters (dataset '%s'); data/%s has %d%s. Its token ids would mean other characters. "
                    + "Fine-tune on data tokenized with the base's vocabulary (songci_poems and songci_sft share "
                    + "songci.txt's), or pre-train a base on this dataset's vocabulary.", baseDir,
                    saved.vocab_size(), dataset, cfg.dataset, tok.vocabSize(),
                    saved.vocab_size() == tok.vocabSize() ? " (other characters)" : ""));
        }
        if (!cfg.init_from.equals("resume")) { // a fresh run: refuse an out_dir holding another dataset's checkpoint
            OutDir.checkOwnership(outDir, cfg.dataset, tok.chars(), cfg.overwrite_out_dir);
        }
        return withDropout(saved, cfg);
    }

    /** A config key that contradicts the saved architecture, as message(key, config's value, saved value). */
    interface Contradiction {
        String message(String key, Object have, Object want);
    }

    /** The architecture is the checkpoint's (train.py's model_args): a config that says otherwise is refused. */
    private static void requireArchitecture(GPTConfig saved, TrainConfig cfg, Contradiction message) {
        Map<String, Object> want = Map.of("n_layer", saved.n_layer(), "n_head", saved.n_head(),
                "n_embd", saved.n_embd(), "block_size", saved.block_size(), "bias", saved.bias());
        Map<String, Object> have = cfg.toMap();
        for (String key : List.of("n_layer", "n_head", "n_embd", "block_size", "bias")) {
            if (!want.get(key).equals(have.get(key))) {
                throw new IllegalArgumentException(message.message(key, have.get(key), want.get(key)));
            }
        }
    }

    /** Like train.py: the architecture from the checkpoint, dropout from the config. */
    private static GPTConfig withDropout(GPTConfig saved, TrainConfig cfg) {
        return new GPTConfig(saved.block_size(), saved.vocab_size(), saved.n_layer(), saved.n_head(), saved.n_embd(),
                cfg.dropout, saved.bias());
    }

    /** The model's architecture. */
    GPTConfig args() {
        return args;
    }

    /** A base model's weights into model (the optimizer state of its checkpoint is not used). */
    void loadBase(GPT model) {
        if (base != null) {
            Checkpoint.copyInto(base, model.params(), "");
        }
    }

    /** What out_dir's checkpoint says the run was trained on (DataIdentity): null unless resuming. */
    DataIdentity.Hashes savedData() {
        return resumed == null ? null : resumed.header().data;
    }

    /** The resumed checkpoint (null: not resuming) and its file. */
    Checkpoint.Loaded resumed() {
        return resumed;
    }

    Path resumedFile() {
        return resumedFile;
    }

    /** Where the base model was read from (null: none). */
    String baseDir() {
        return baseDir;
    }

    /** Where a run starts: its first iteration, best val loss, the checkpoint it has (-1: none), its log so far. */
    record Start(int iterNum, double bestValLoss, int checkpointIter, TrainingLog log) {}

    /**
     * Resume: the checkpoint's tensors, optimizer (and scaler) state into state's model, its iteration and
     * best val loss, and log.csv up to that iteration. Otherwise iteration 0 with nothing to restore.
     */
    Start restore(TrainState state, gptkit.optim.Optimizer optimizer, gptkit.amp.LossScaler scaler, TrainConfig cfg,
                  int worldSize, Path outDir, PrintStream out) throws IOException {
        if (resumed == null) {
            return new Start(0, 1e9, -1, new TrainingLog());
        }
        state.restore(resumed, optimizer, scaler);
        int iter = resumed.header().iter_num; // optimizer steps: the same count on any world size (WorldSizeChange)
        String worldSizeChange = WorldSizeChange.resumeLine(resumed.header(), cfg, worldSize);
        if (worldSizeChange != null) {
            out.println(worldSizeChange);
        }
        TrainingLog log = TrainingLog.load(outDir.resolve("log.csv"));
        log.truncateFrom(iter);
        return new Start(iter, resumed.header().best_val_loss, iter, log);
    }
}

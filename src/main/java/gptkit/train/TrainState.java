package gptkit.train;

import ai.djl.ndarray.NDArray;
import gptkit.amp.LossScaler;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.CheckpointStore;
import gptkit.checkpoint.LoraCheckpoint;
import gptkit.config.TrainConfig;
import gptkit.model.GPT;
import gptkit.model.LoraAdapters;
import gptkit.optim.Optimizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run trains and the checkpoint file that holds it, one implementation per format:
 * {@link FullState} (ckpt.bin: every weight trains) and {@link LoraState} (lora.bin: rank-r
 * adapters on a frozen base). Both write and read {@link Checkpoint.Header}, through one reader.
 */
interface TrainState extends AutoCloseable {
    /** ckpt.bin or lora.bin. */
    String fileName();

    /** What the optimizer updates (and Precision hands gradients of): the weights, or the adapters. */
    Map<String, NDArray> trainable();

    /** Weights that do not train but run in the model (Precision keeps their float16 copies): a LoRA base. */
    Map<String, NDArray> frozen();

    /** The adapters, or null when every weight trains. */
    LoraAdapters lora();

    /** Writes the checkpoint: state's run fields (iteration, best val loss, config, ...), the tensors, the optimizer's. */
    void save(Path file, Checkpoint.Header state, Optimizer optimizer) throws IOException;

    /** Resume: the trained tensors, the optimizer's state and step count (and the scaler's, where saved). */
    void restore(Checkpoint.Loaded ckpt, Optimizer optimizer, LossScaler scaler);

    /** What a run without a checkpoint of this kind cannot do, for its warning. */
    String withoutCheckpoint();

    @Override
    void close();

    /** The file format a run's config asks for: lora.bin when lora_rank > 0, ckpt.bin otherwise. */
    static String fileName(TrainConfig cfg) {
        return cfg.lora_rank > 0 ? LoraCheckpoint.FILE_NAME : Checkpoint.FILE_NAME;
    }

    /** Reads this run's own checkpoint in outDir (resume), in the format its config asks for. */
    static Checkpoint.Loaded read(TrainConfig cfg, Path outDir, CheckpointStore store) throws IOException {
        Path file = outDir.resolve(fileName(cfg));
        return cfg.lora_rank > 0 ? LoraCheckpoint.load(file) : store.load(file);
    }

    /** The state of a run on model: adapters added to it when lora_rank > 0 (then it is frozen). */
    static TrainState of(TrainConfig cfg, GPT model, Parts parts, InitFrom init, PrintStream out) {
        return cfg.lora_rank > 0 ? LoraState.create(cfg, model, parts, init, out)
                : new FullState(model, parts.checkpoint());
    }
}

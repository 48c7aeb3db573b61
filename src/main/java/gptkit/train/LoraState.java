package gptkit.train;

import ai.djl.ndarray.NDArray;
import gptkit.amp.LossScaler;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.LoraCheckpoint;
import gptkit.config.TrainConfig;
import gptkit.model.GPT;
import gptkit.model.LoraAdapters;
import gptkit.optim.Optimizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A LoRA run: the base model frozen (backward records no gradient for it), rank-r adapters on its
 * target projections train; lora.bin holds the adapters, their AdamW state, and which base they
 * belong to (its weights' sha256 and where it was read from).
 */
final class LoraState implements TrainState {
    private final GPT model;
    private final LoraAdapters lora;
    private final String baseSha256;
    private final String baseDir;

    private LoraState(GPT model, LoraAdapters lora, String baseSha256, String baseDir) {
        this.model = model;
        this.lora = lora;
        this.baseSha256 = baseSha256;
        this.baseDir = baseDir;
    }

    /** Adapters on model, which holds the base's weights; a resumed run's lora.bin must name this base. */
    static LoraState create(TrainConfig cfg, GPT model, Parts parts, InitFrom init, PrintStream out) {
        model.requireGradients(false); // frozen: backward records no gradient for the base
        LoraAdapters lora = new LoraAdapters(model.config(), model.device(), cfg.lora_rank, cfg.lora_alpha,
                List.of(cfg.lora_targets.split(",")), cfg.seed, parts.lora());
        model.useLora(parts.lora(), cfg.lora_alpha);
        String sha256 = LoraCheckpoint.weightsSha256(model.params());
        if (init.resumed() != null) {
            LoraCheckpoint.checkBase(init.resumedFile(), init.resumed().header(), model.config(), sha256,
                    init.baseDir());
        }
        long all = model.numParams(false);
        out.printf("LoRA rank %d, alpha %s on %s: %,d trainable parameters (%.2f%% of the base's %,d)%n",
                cfg.lora_rank, cfg.lora_alpha, cfg.lora_targets, lora.numParams(), 100.0 * lora.numParams() / all, all);
        return new LoraState(model, lora, sha256, init.baseDir());
    }

    @Override
    public String fileName() {
        return LoraCheckpoint.FILE_NAME;
    }

    @Override
    public Map<String, NDArray> trainable() {
        return lora.params();
    }

    @Override
    public Map<String, NDArray> frozen() {
        return model.params();
    }

    @Override
    public LoraAdapters lora() {
        return lora;
    }

    @Override
    public void save(Path file, Checkpoint.Header state, Optimizer optimizer) throws IOException {
        state.model_args = model.config();
        state.optimizer_step = optimizer.stepCount();
        state.lora = new Checkpoint.Adapters();
        state.lora.rank = lora.rank();
        state.lora.alpha = lora.alpha();
        state.lora.targets = lora.targets();
        state.lora.base_sha256 = baseSha256;
        state.lora.base_dir = baseDir;
        LoraCheckpoint.save(file, state, Checkpoint.withOptimizer(lora.params(), optimizer));
    }

    /** The adapters and their AdamW state (lora.bin keeps no scaler state: float16 starts its scale anew). */
    @Override
    public void restore(Checkpoint.Loaded ckpt, Optimizer optimizer, LossScaler scaler) {
        Checkpoint.copyInto(ckpt, lora.params(), "");
        Checkpoint.copyInto(ckpt, optimizer.state(), "optimizer.");
        optimizer.setStepCount(ckpt.header().optimizer_step);
    }

    @Override
    public String withoutCheckpoint() {
        return "nothing to merge or sample";
    }

    @Override
    public void close() {
        lora.close();
    }
}

package gptkit.train;

import ai.djl.ndarray.NDArray;
import gptkit.amp.LossScaler;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.CheckpointStore;
import gptkit.model.GPT;
import gptkit.model.LoraAdapters;
import gptkit.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A run that trains every weight: ckpt.bin, through the checkpoint part (a student's, with --parts=exercises). */
final class FullState implements TrainState {
    private final GPT model;
    private final CheckpointStore store;

    FullState(GPT model, CheckpointStore store) {
        this.model = model;
        this.store = store;
    }

    @Override
    public String fileName() {
        return Checkpoint.FILE_NAME;
    }

    @Override
    public Map<String, NDArray> trainable() {
        return model.params();
    }

    @Override
    public Map<String, NDArray> frozen() {
        return Map.of();
    }

    @Override
    public LoraAdapters lora() {
        return null;
    }

    @Override
    public void save(Path file, Checkpoint.Header state, Optimizer optimizer) throws IOException {
        Checkpoint.save(store, file, model, optimizer, state);
    }

    @Override
    public void restore(Checkpoint.Loaded ckpt, Optimizer optimizer, LossScaler scaler) {
        Checkpoint.copyInto(ckpt, model.params(), "");
        Checkpoint.copyInto(ckpt, optimizer.state(), "optimizer.");
        optimizer.setStepCount(ckpt.header().optimizer_step);
        Checkpoint.Header h = ckpt.header();
        scaler.restore(new LossScaler.State(h.scaler_scale, h.scaler_growth_tracker, h.skipped_steps));
    }

    @Override
    public String withoutCheckpoint() {
        return "nothing to sample or resume";
    }

    @Override
    public void close() {
    }
}

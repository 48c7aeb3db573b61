package gptkit.train;

import gptkit.amp.GradScaler;
import gptkit.amp.LossScaler;
import gptkit.config.TrainConfig;
import gptkit.data.BatchSource;
import gptkit.data.GetBatch;
import gptkit.data.LossMask;
import gptkit.data.SftBatches;
import gptkit.data.SftExample;
import gptkit.ddp.Collective;
import gptkit.ddp.Ddp;
import gptkit.model.CrossEntropy;
import gptkit.model.FusedCrossEntropy;
import gptkit.model.Lora;
import gptkit.model.LoraLinear;
import gptkit.model.Loss;
import gptkit.optim.AdamW;
import gptkit.optim.Optimizer;

/**
 * The trainer's parts: one for each idea of train.py. {@link #library()} holds the library's
 * reference implementations; each {@code with...} swaps one part and keeps the others, e.g.
 * <pre>
 *   new Trainer(cfg, Parts.library().withSchedule(MiniMindLr::new))
 * </pre>
 * Parts that hold state (optimizer, schedule, scaler, collective) are given as factories of
 * the run's config, because the trainer builds them during its setup.
 */
public record Parts(
        BatchSource getBatch,                 // get_batch: x, y from a split
        Loss loss,                            // F.cross_entropy
        Optimizer.Factory optimizer,          // configure_optimizers + AdamW
        LrSchedule.Factory schedule,          // get_lr
        LossEstimator estimateLoss,           // estimate_loss
        GradClipper clipGradNorm,             // torch.nn.utils.clip_grad_norm_
        ScalerFactory scaler,                 // torch.amp.GradScaler(enabled=dtype == 'float16')
        CollectiveFactory ddp,                // DDP's gradient all-reduce (one process: nothing)
        CheckpointStore checkpoint,           // torch.save / torch.load of ckpt
        TrainingLoop loop,                    // the while loop itself
        LoraLinear loraLinear,                // a LoRA-adapted projection (used when lora_rank > 0)
        LossMask lossMask) {                  // SFT: one example as a row, prompt and padding targets -1 (finetune)

    /** Builds the loss scaler for a run. */
    @FunctionalInterface
    public interface ScalerFactory {
        LossScaler create(TrainConfig cfg);
    }

    /** Joins the process group of a run (or stands for a single process). */
    @FunctionalInterface
    public interface CollectiveFactory {
        Collective create(TrainConfig cfg);
    }

    /** The library's parts: what `./gptkit train` runs. */
    public static Parts library() {
        return new Parts(
                GetBatch::getBatch,
                FusedCrossEntropy::crossEntropy,
                AdamW::fromConfig,
                LrSchedule::library,
                EstimateLoss::estimateLoss,
                FusedClipGradNorm::clipGrads,
                c -> c.dtype.equals("float16") ? new GradScaler() : LossScaler.disabled(),
                c -> Ddp.fromEnv(c.ddp_timeout),
                Checkpoint.store(),
                new TrainLoop(),
                Lora.LIBRARY,
                SftExample::mask);
    }

    /**
     * Fine-tuning's parts (`./gptkit finetune`): these, with get_batch replaced by SFT batches, one
     * example per row, made into x and y by this run's loss-mask part (a student's, with --parts=exercises).
     */
    public Parts forSft() {
        return withGetBatch(new SftBatches(lossMask));
    }

    public Parts withGetBatch(BatchSource p) {
        return new Parts(p, loss, optimizer, schedule, estimateLoss, clipGradNorm, scaler, ddp, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withLoss(Loss p) {
        return new Parts(getBatch, p, optimizer, schedule, estimateLoss, clipGradNorm, scaler, ddp, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withOptimizer(Optimizer.Factory p) {
        return new Parts(getBatch, loss, p, schedule, estimateLoss, clipGradNorm, scaler, ddp, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withSchedule(LrSchedule.Factory p) {
        return new Parts(getBatch, loss, optimizer, p, estimateLoss, clipGradNorm, scaler, ddp, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withEstimateLoss(LossEstimator p) {
        return new Parts(getBatch, loss, optimizer, schedule, p, clipGradNorm, scaler, ddp, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withClipGradNorm(GradClipper p) {
        return new Parts(getBatch, loss, optimizer, schedule, estimateLoss, p, scaler, ddp, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withScaler(ScalerFactory p) {
        return new Parts(getBatch, loss, optimizer, schedule, estimateLoss, clipGradNorm, p, ddp, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withDdp(CollectiveFactory p) {
        return new Parts(getBatch, loss, optimizer, schedule, estimateLoss, clipGradNorm, scaler, p, checkpoint, loop, loraLinear, lossMask);
    }

    public Parts withLoop(TrainingLoop p) {
        return new Parts(getBatch, loss, optimizer, schedule, estimateLoss, clipGradNorm, scaler, ddp, checkpoint, p, loraLinear, lossMask);
    }

    public Parts withLoraLinear(LoraLinear p) {
        return new Parts(getBatch, loss, optimizer, schedule, estimateLoss, clipGradNorm, scaler, ddp, checkpoint, loop, p, lossMask);
    }

    public Parts withLossMask(LossMask p) {
        return new Parts(getBatch, loss, optimizer, schedule, estimateLoss, clipGradNorm, scaler, ddp, checkpoint, loop, loraLinear, p);
    }

    public Parts withCheckpoint(CheckpointStore p) {
        return new Parts(getBatch, loss, optimizer, schedule, estimateLoss, clipGradNorm, scaler, ddp, p, loop, loraLinear, lossMask);
    }
}

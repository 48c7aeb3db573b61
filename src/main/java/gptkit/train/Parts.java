package gptkit.train;

import gptkit.amp.GradScaler;
import gptkit.amp.LossScaler;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.CheckpointStore;
import gptkit.data.BatchSource;
import gptkit.data.GetBatch;
import gptkit.data.LossMask;
import gptkit.data.SftBatches;
import gptkit.data.SftMask;
import gptkit.ddp.Collective;
import gptkit.ddp.DdpEnv;
import gptkit.model.FusedCrossEntropy;
import gptkit.model.Lora;
import gptkit.model.LoraLinear;
import gptkit.model.Loss;
import gptkit.optim.AdamW;
import gptkit.optim.ConfigureOptimizers;
import gptkit.optim.DecayGrouping;
import gptkit.optim.FusedAdamW;
import gptkit.optim.Optimizer;
import gptkit.schedule.LrSchedule;

import java.util.EnumMap;
import java.util.Map;

/**
 * The trainer's parts: one for each row of {@link Part}. {@link #library()} holds the library's
 * reference implementations; {@link #with} swaps one part and keeps the others, e.g.
 * <pre>
 *   new Trainer(cfg, Parts.library().with(Part.GET_LR, (LrSchedule.Factory) MiniMindLr::new))
 * </pre>
 * Parts that hold state (adamw, get_lr, grad_scaler, ddp) are given as factories (the Part's
 * {@link Part#slot}), because the trainer builds them during each run's setup.
 */
public final class Parts {
    private final Map<Part, Object> parts;

    private Parts(Map<Part, Object> parts) {
        this.parts = parts;
    }

    /** The library's parts: what `./gptkit train` runs. */
    public static Parts library() {
        return new Parts(new EnumMap<>(Part.class))
                .with(Part.GET_BATCH, (BatchSource) GetBatch::getBatch)
                .with(Part.CROSS_ENTROPY, (Loss) FusedCrossEntropy::crossEntropy)
                .with(Part.ADAMW, (AdamW.Constructor) FusedAdamW::new)
                .with(Part.CONFIGURE_OPTIMIZERS, (DecayGrouping) ConfigureOptimizers::configureOptimizers)
                .with(Part.GET_LR, (LrSchedule.Factory) LrSchedule::library)
                .with(Part.ESTIMATE_LOSS, (LossEstimator) EstimateLoss::estimateLoss)
                .with(Part.GRAD_SCALER, (LossScaler.Factory) c -> c.dtype.equals("float16") ? new GradScaler()
                        : LossScaler.disabled())
                .with(Part.CLIP_GRAD_NORM, (GradClipper) FusedClipGradNorm::clipGradNorm)
                .with(Part.DDP, (Collective.Factory) c -> DdpEnv.fromEnv(c.ddp_timeout))
                .with(Part.CHECKPOINT, Checkpoint.store())
                .with(Part.TRAIN_LOOP, new TrainLoop())
                .with(Part.LORA, new Lora())
                .with(Part.SFT_MASK, (LossMask) SftMask::mask);
    }

    /**
     * These parts with part's replaced by impl, which must be a {@link Part#slot} (a lambda or a
     * method reference needs a cast to it: {@code (GradClipper) MyClip::clip}).
     */
    public Parts with(Part part, Object impl) {
        if (impl == null || !part.slot.isInstance(impl)) {
            String slot = part.slot.getCanonicalName().substring(part.slot.getPackageName().length() + 1);
            throw new IllegalArgumentException("Parts.with(" + part + ", ...): the " + part.id + " part must be a "
                    + part.slot.getCanonicalName() + (part.slot == part.role ? ""
                    : " (it builds the " + part.role.getSimpleName() + " of each run from its config)")
                    + ", but got " + describe(impl) + ". Give one; cast a lambda or method reference: ("
                    + slot + ") ...");
        }
        Map<Part, Object> m = new EnumMap<>(parts); // always an EnumMap: copies even when empty
        m.put(part, impl);
        return new Parts(m);
    }

    /** A lambda's class has no name a person knows: its interfaces tell what it is. */
    private static String describe(Object impl) {
        if (impl == null) {
            return "null";
        }
        Class<?> c = impl.getClass();
        if (c.isSynthetic() || c.isHidden()) {
            return "a lambda or method reference of " + String.join(", ",
                    java.util.Arrays.stream(c.getInterfaces()).map(Class::getCanonicalName).toList());
        }
        return "a " + c.getName();
    }

    /** The part in place, as its {@link Part#slot}. */
    public Object get(Part part) {
        return parts.get(part);
    }

    /**
     * Fine-tuning's parts (`./gptkit finetune`): these, with get_batch replaced by SFT batches, one
     * example per row, made into x and y by this run's sft_mask part (a student's, with --parts=exercises).
     */
    public Parts forSft() {
        return with(Part.GET_BATCH, new SftBatches(sftMask()));
    }

    /** The optimizer train.py's configure_optimizers returns: adamw over configure_optimizers' groups. */
    public Optimizer.Factory optimizer() {
        return AdamW.factory(configureOptimizers(), adamw());
    }

    public BatchSource getBatch() {
        return (BatchSource) parts.get(Part.GET_BATCH);
    }

    public Loss crossEntropy() {
        return (Loss) parts.get(Part.CROSS_ENTROPY);
    }

    public AdamW.Constructor adamw() {
        return (AdamW.Constructor) parts.get(Part.ADAMW);
    }

    public DecayGrouping configureOptimizers() {
        return (DecayGrouping) parts.get(Part.CONFIGURE_OPTIMIZERS);
    }

    public LrSchedule.Factory getLr() {
        return (LrSchedule.Factory) parts.get(Part.GET_LR);
    }

    public LossEstimator estimateLoss() {
        return (LossEstimator) parts.get(Part.ESTIMATE_LOSS);
    }

    public LossScaler.Factory gradScaler() {
        return (LossScaler.Factory) parts.get(Part.GRAD_SCALER);
    }

    public GradClipper clipGradNorm() {
        return (GradClipper) parts.get(Part.CLIP_GRAD_NORM);
    }

    public Collective.Factory ddp() {
        return (Collective.Factory) parts.get(Part.DDP);
    }

    public CheckpointStore checkpoint() {
        return (CheckpointStore) parts.get(Part.CHECKPOINT);
    }

    public Loop trainLoop() {
        return (Loop) parts.get(Part.TRAIN_LOOP);
    }

    public LoraLinear lora() {
        return (LoraLinear) parts.get(Part.LORA);
    }

    public LossMask sftMask() {
        return (LossMask) parts.get(Part.SFT_MASK);
    }
}

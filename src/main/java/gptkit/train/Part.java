package gptkit.train;

import gptkit.amp.LossScaler;
import gptkit.checkpoint.CheckpointStore;
import gptkit.config.TrainConfig;
import gptkit.data.BatchSource;
import gptkit.data.LossMask;
import gptkit.ddp.Collective;
import gptkit.model.LoraLinear;
import gptkit.model.Loss;
import gptkit.optim.AdamW;
import gptkit.optim.DecayGrouping;
import gptkit.optim.Optimizer;
import gptkit.schedule.LrSchedule;

import java.util.List;

/**
 * The trainer's parts, one row per idea of train.py (and two of fine-tuning), in the notebooks'
 * order. One name per row: the exercise id (get_lr) in snake case, and FILE (GetLr) for the
 * student's exercises/FILE.java, the reference answer solutions/FILE.java, the library's class
 * (gptkit.schedule.GetLr), the grader's FILEExerciseTest and, in camel case, {@link Parts}' getter
 * (getLr). The interface the part implements is named for its role (LrSchedule). This table is
 * the one seam: {@link Parts#with}, the student's parts (gptkit.exercises.StudentParts) and the
 * grader read it, and PartsTest holds the README's table of exercises to it.
 */
public enum Part {
    GET_BATCH("get_batch", "01", "GetBatch", BatchSource.class),
    CROSS_ENTROPY("cross_entropy", "02", "CrossEntropy", Loss.class),
    /** Built by {@link AdamW#factory} over the groups configure_optimizers makes. */
    ADAMW("adamw", "03", "AdamW", Optimizer.class, AdamW.Constructor.class,
            List.of(List.class, double.class, double.class, double.class, double.class),
            (make, current) -> (AdamW.Constructor) (groups, lr, beta1, beta2, eps)
                    -> (Optimizer) make.make(groups, lr, beta1, beta2, eps)),
    CONFIGURE_OPTIMIZERS("configure_optimizers", "03", "ConfigureOptimizers", DecayGrouping.class),
    /** train.py calls get_lr only when decay_lr; otherwise the rate is learning_rate throughout. */
    GET_LR("get_lr", "04", "GetLr", LrSchedule.class, LrSchedule.Factory.class, List.of(TrainConfig.class),
            (make, current) -> (LrSchedule.Factory) cfg -> cfg.decay_lr ? (LrSchedule) make.make(cfg)
                    : it -> cfg.learning_rate),
    ESTIMATE_LOSS("estimate_loss", "05", "EstimateLoss", LossEstimator.class),
    /** GradScaler(enabled=(dtype == 'float16')): float32 runs get one that does nothing. */
    GRAD_SCALER("grad_scaler", "06", "GradScaler", LossScaler.class, LossScaler.Factory.class, List.of(),
            (make, current) -> (LossScaler.Factory) cfg -> cfg.dtype.equals("float16") ? (LossScaler) make.make()
                    : LossScaler.disabled()),
    CLIP_GRAD_NORM("clip_grad_norm", "07", "ClipGradNorm", GradClipper.class),
    /** A student's Ddp averages over the process group the current part joins (which does the rest). */
    DDP("ddp", "08", "Ddp", Collective.class, Collective.Factory.class, List.of(Collective.class),
            (make, current) -> (Collective.Factory) cfg -> (Collective) make.make(((Collective.Factory) current)
                    .create(cfg))),
    CHECKPOINT("checkpoint", "09", "Checkpoint", CheckpointStore.class),
    TRAIN_LOOP("train_loop", "09", "TrainLoop", Loop.class),
    /** Used when lora_rank > 0. */
    LORA("lora", "10", "Lora", LoraLinear.class),
    /** Used by fine-tuning's SFT batches. */
    SFT_MASK("sft_mask", "10", "SftMask", LossMask.class);

    /** As in -Dexercise=ID. */
    public final String id;
    /** The notebook that ends with it. */
    public final String notebook;
    /** The class: the file's name in exercises/ and solutions/, and the library's class. */
    public final String file;
    /** The interface the part implements (a student's class implements it). */
    public final Class<?> role;
    /**
     * What {@link Parts} holds for it: the role itself, or, for a part that holds state, a factory
     * the trainer calls at each run's setup.
     */
    public final Class<?> slot;
    /** The parameter types of a student's public constructor. */
    public final List<Class<?>> params;
    private final Plug plug;

    /** A constructor of a class that implements the role: new FILE(args). */
    @FunctionalInterface
    public interface Maker {
        Object make(Object... args);
    }

    /** How a constructor of the role becomes what {@link Parts} holds, given the part it replaces. */
    @FunctionalInterface
    interface Plug {
        Object slot(Maker make, Object current);
    }

    /** A part that holds no state: one instance, made with no arguments. */
    Part(String id, String notebook, String file, Class<?> role) {
        this(id, notebook, file, role, role, List.of(), (make, current) -> make.make());
    }

    Part(String id, String notebook, String file, Class<?> role, Class<?> slot, List<Class<?>> params, Plug plug) {
        this.id = id;
        this.notebook = notebook;
        this.file = file;
        this.role = role;
        this.slot = slot;
        this.params = params;
        this.plug = plug;
    }

    public String exercisePath() {
        return "exercises/" + file + ".java";
    }

    /** Parts' getter: the id in camel case (get_lr: getLr). */
    public String getter() {
        StringBuilder b = new StringBuilder();
        for (String w : id.split("_")) {
            b.append(b.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1));
        }
        return b.toString();
    }

    /**
     * What {@link Parts#with} takes for this part, from make, a constructor of a class that
     * implements the role with {@link #params}; current is the part it replaces.
     */
    public Object plug(Maker make, Object current) {
        return plug.slot(make, current);
    }
}

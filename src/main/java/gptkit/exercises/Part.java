package gptkit.exercises;

/**
 * The exercises, in the notebooks' order: each is one part of the trainer, written by a student
 * in exercises/FILE.java against the library's interface for that part.
 */
public enum Part {
    GET_BATCH("get_batch", "01", "GetBatch"),
    CROSS_ENTROPY("cross_entropy", "02", "CrossEntropy"),
    ADAMW("adamw", "03", "AdamW"),
    DECAY_GROUPS("decay_groups", "03", "DecayGroups"),
    GET_LR("get_lr", "04", "GetLr"),
    ESTIMATE_LOSS("estimate_loss", "05", "EstimateLoss"),
    GRAD_SCALER("grad_scaler", "06", "GradScaler"),
    CLIP_GRAD_NORM("clip_grad_norm", "07", "ClipGradNorm"),
    DDP("ddp", "08", "Ddp"),
    CHECKPOINT("checkpoint", "09", "Checkpoint"),
    TRAIN_LOOP("train_loop", "09", "TrainLoop"),
    LORA("lora", "10", "Lora"),
    SFT_MASK("sft_mask", "10", "SftMask");

    /** As in -Dexercise=ID. */
    public final String id;
    /** The notebook that ends with it. */
    public final String notebook;
    /** The class, and the file's name in exercises/ and solutions/. */
    public final String file;

    Part(String id, String notebook, String file) {
        this.id = id;
        this.notebook = notebook;
        this.file = file;
    }

    public String exercisePath() {
        return "exercises/" + file + ".java";
    }
}

package gptkit.exercises;

import gptkit.amp.LossScaler;
import gptkit.config.TrainConfig;
import gptkit.data.BatchSource;
import gptkit.data.LossMask;
import gptkit.ddp.Collective;
import gptkit.model.LoraLinear;
import gptkit.model.Loss;
import gptkit.optim.AdamW;
import gptkit.optim.ConfigureOptimizers;
import gptkit.optim.Optimizer;
import gptkit.train.CheckpointStore;
import gptkit.train.GradClipper;
import gptkit.train.LossEstimator;
import gptkit.train.LrSchedule;
import gptkit.train.Parts;
import gptkit.train.TrainingLoop;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer with a student's parts: each exercise a student has solved replaces the library's
 * part; unsolved ones (still throwing NotImplementedYet, not compiling, or with another
 * signature) leave the library's in place. `./gptkit train ... --parts=exercises` and notebook 09
 * train with it; the grader's capstone check plugs the graded classes in the same way.
 */
public final class StudentParts {
    private StudentParts() {}

    /** The parts, and one line per exercise saying whose part the run uses, and why. */
    public record Plugged(Parts parts, List<String> report, Map<Part, Class<?>> students) {}

    /** What each exercise's class must implement, and the parameter types of its constructor. */
    private static final Map<Part, Class<?>[]> SHAPE = new EnumMap<>(Map.ofEntries(
            Map.entry(Part.GET_BATCH, new Class<?>[] {BatchSource.class}),
            Map.entry(Part.CROSS_ENTROPY, new Class<?>[] {Loss.class}),
            Map.entry(Part.ADAMW, new Class<?>[] {Optimizer.class, List.class, double.class, double.class,
                double.class, double.class}),
            Map.entry(Part.DECAY_GROUPS, new Class<?>[] {ConfigureOptimizers.class}),
            Map.entry(Part.GET_LR, new Class<?>[] {LrSchedule.class, TrainConfig.class}),
            Map.entry(Part.ESTIMATE_LOSS, new Class<?>[] {LossEstimator.class}),
            Map.entry(Part.GRAD_SCALER, new Class<?>[] {LossScaler.class}),
            Map.entry(Part.CLIP_GRAD_NORM, new Class<?>[] {GradClipper.class}),
            Map.entry(Part.DDP, new Class<?>[] {Collective.class, Collective.class}),
            Map.entry(Part.CHECKPOINT, new Class<?>[] {CheckpointStore.class}),
            Map.entry(Part.TRAIN_LOOP, new Class<?>[] {TrainingLoop.class}),
            Map.entry(Part.LORA, new Class<?>[] {LoraLinear.class}),
            Map.entry(Part.SFT_MASK, new Class<?>[] {LossMask.class})));

    /** Compiles each exercises/FILE.java under kitRoot on its own, and plugs in the solved ones. */
    public static Plugged fromExercises(Path kitRoot) {
        Path dir = kitRoot.resolve("exercises");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--parts=exercises: there is no exercises/ folder in "
                    + kitRoot.toAbsolutePath().normalize() + ": run gptkit from the kit's root folder");
        }
        Map<Part, Class<?>> classes = new EnumMap<>(Part.class);
        List<String> report = new ArrayList<>();
        for (Part p : Part.values()) {
            ExerciseCompiler.Compiled k = ExerciseCompiler.compile(dir.resolve(p.file + ".java"), p.exercisePath(),
                    kitRoot.resolve("target").resolve("exercise-classes").resolve(p.id), StudentParts.class.getClassLoader());
            String why = null;
            if (!k.ok()) {
                why = k.error();
            } else if (k.notAttempted()) {
                why = "not attempted yet";
            } else {
                try {
                    Class<?> c = k.load(p.file);
                    why = mismatch(p, c);
                    if (why == null) {
                        classes.put(p, c);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    why = p.exercisePath() + " has no class " + p.file;
                }
            }
            report.add(String.format("  %-15s %s", p.id, why == null ? "yours    " + p.exercisePath()
                    : "library  (" + why + ")"));
        }
        return new Plugged(plug(Parts.library(), classes), report, classes);
    }

    /** Why c cannot be exercise p's part (another interface or constructor), or null. */
    public static String mismatch(Part p, Class<?> c) {
        Class<?>[] shape = SHAPE.get(p);
        if (!shape[0].isAssignableFrom(c)) {
            return p.file + " does not implement " + shape[0].getName();
        }
        try {
            if (!Modifier.isPublic(c.getDeclaredConstructor(params(shape)).getModifiers())) {
                throw new NoSuchMethodException();
            }
            return null;
        } catch (NoSuchMethodException e) {
            return p.file + " has no public constructor " + p.file + "(" + String.join(", ",
                    java.util.Arrays.stream(params(shape)).map(Class::getSimpleName).toList()) + ")";
        }
    }

    /** The library's parts with each given class in its exercise's place. */
    public static Parts plug(Parts parts, Map<Part, Class<?>> classes) {
        for (Map.Entry<Part, Class<?>> e : classes.entrySet()) {
            Class<?> c = e.getValue();
            parts = switch (e.getKey()) {
                case GET_BATCH -> parts.withGetBatch(make(c, BatchSource.class));
                case CROSS_ENTROPY -> parts.withLoss(make(c, Loss.class));
                case GET_LR -> parts.withSchedule(cfg -> cfg.decay_lr ? make(c, LrSchedule.class, cfg)
                        : it -> cfg.learning_rate); // train.py: get_lr only when decay_lr
                case ESTIMATE_LOSS -> parts.withEstimateLoss(make(c, LossEstimator.class));
                case GRAD_SCALER -> parts.withScaler(cfg -> cfg.dtype.equals("float16") ? make(c, LossScaler.class)
                        : LossScaler.disabled()); // GradScaler(enabled=(dtype == 'float16'))
                case CLIP_GRAD_NORM -> parts.withClipGradNorm(make(c, GradClipper.class));
                case DDP -> {
                    Parts.CollectiveFactory library = parts.ddp();
                    yield parts.withDdp(cfg -> make(c, Collective.class, library.create(cfg)));
                }
                case CHECKPOINT -> parts.withCheckpoint(make(c, CheckpointStore.class));
                case TRAIN_LOOP -> parts.withLoop(make(c, TrainingLoop.class));
                case LORA -> parts.withLoraLinear(make(c, LoraLinear.class)); // used when lora_rank > 0
                case SFT_MASK -> parts.withLossMask(make(c, LossMask.class)); // used by finetune's SFT batches
                case ADAMW, DECAY_GROUPS -> parts; // together they make the optimizer, below
            };
        }
        Class<?> adamw = classes.get(Part.ADAMW);
        Class<?> groups = classes.get(Part.DECAY_GROUPS);
        if (adamw != null || groups != null) {
            ConfigureOptimizers grouping = groups != null ? make(groups, ConfigureOptimizers.class)
                    : AdamW::configureOptimizers;
            AdamW.Constructor optimizer = adamw != null
                    ? (g, lr, b1, b2, eps) -> make(adamw, Optimizer.class, g, lr, b1, b2, eps) : AdamW::new;
            parts = parts.withOptimizer(AdamW.factory(grouping, optimizer));
        }
        return parts;
    }

    private static Class<?>[] params(Class<?>[] shape) {
        return java.util.Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** new c(args) through the constructor of its exercise's shape, as the part's interface. */
    private static <T> T make(Class<?> c, Class<T> as, Object... args) {
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (k.getParameterCount() == args.length && Modifier.isPublic(k.getModifiers())) {
                try {
                    return as.cast(k.newInstance(args));
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(c.getSimpleName() + "'s constructor failed", e.getCause());
                } catch (ReflectiveOperationException | IllegalArgumentException e) {
                    // another constructor with as many parameters: try the next
                }
            }
        }
        throw new IllegalArgumentException(c.getSimpleName() + " has no public constructor for " + args.length
                + " arguments");
    }
}

package gptkit.grading;

import gptkit.train.Part;

import java.util.List;

/** Every exercise, in the notebooks' order (that of gptkit.train.Part). */
public final class Catalog {
    private Catalog() {}

    public static final List<Exercise<?>> ALL = List.of(
            GetBatchExerciseTest.EXERCISE,
            CrossEntropyExerciseTest.EXERCISE,
            AdamWExerciseTest.EXERCISE,
            ConfigureOptimizersExerciseTest.EXERCISE,
            GetLrExerciseTest.EXERCISE,
            EstimateLossExerciseTest.EXERCISE,
            GradScalerExerciseTest.EXERCISE,
            ClipGradNormExerciseTest.EXERCISE,
            DdpExerciseTest.EXERCISE,
            CheckpointExerciseTest.EXERCISE,
            TrainLoopExerciseTest.EXERCISE,
            LoraExerciseTest.EXERCISE,
            SftMaskExerciseTest.EXERCISE);

    public static List<String> ids() {
        return ALL.stream().map(Exercise::id).toList();
    }

    public static Exercise<?> byId(String id) {
        return ALL.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    public static Exercise<?> of(Part p) {
        return byId(p.id);
    }
}

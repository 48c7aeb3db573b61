package gptkit.grading;

import java.util.List;

/** Every exercise, in the notebooks' order. */
public final class Catalog {
    private Catalog() {}

    public static final List<Exercise<?>> ALL = List.of(
            GetBatchExerciseTest.EXERCISE,
            CrossEntropyExerciseTest.EXERCISE,
            AdamWExerciseTest.EXERCISE,
            DecayGroupsExerciseTest.EXERCISE,
            GetLrExerciseTest.EXERCISE,
            EstimateLossExerciseTest.EXERCISE,
            GradScalerExerciseTest.EXERCISE,
            ClipGradNormExerciseTest.EXERCISE,
            GradAccumulationExerciseTest.EXERCISE,
            DdpExerciseTest.EXERCISE,
            CheckpointExerciseTest.EXERCISE);

    public static List<String> ids() {
        return ALL.stream().map(Exercise::id).toList();
    }

    public static Exercise<?> byId(String id) {
        return ALL.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }
}

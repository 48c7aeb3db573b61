package gptkit.grading;

import java.util.List;
import java.util.function.Function;

/**
 * A graded exercise: its id (as in -Dexercise=id), the notebook that points to it, the simple
 * name of its file in exercises/ and solutions/, how to bind a class to the checks' API, the checks.
 */
public record Exercise<I>(String id, String notebook, String file, Function<Class<?>, I> binder,
                          List<Check<I>> checks) {

    /** An exercise whose API is a set of static methods, found by name and parameter types. */
    public static <I> Exercise<I> of(String id, String notebook, String file, Class<I> api, List<Check<I>> checks) {
        return new Exercise<>(id, notebook, file, cls -> Bind.statics(api, cls), checks);
    }

    public int maxPoints() {
        return checks.stream().mapToInt(Check::points).sum();
    }

    public String path(Target t) {
        return t == Target.EXERCISES ? "exercises/" + file + ".java" : "solutions/gptkit/solutions/" + file + ".java";
    }

    public String testClass() {
        return "gptkit.grading." + file + "ExerciseTest";
    }
}

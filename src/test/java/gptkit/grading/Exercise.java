package gptkit.grading;

import gptkit.train.Part;

import java.util.List;
import java.util.function.Function;

/**
 * A graded exercise: the part of the trainer it is (id, notebook, file), how to bind a class to
 * the checks' API, the checks, and the known mistakes (wrong answers in gptkit.grading.wrong)
 * that must lose points on the check named for them.
 */
public record Exercise<I>(Part part, Function<Class<?>, I> binder, List<Check<I>> checks, List<Mistake> mistakes) {

    /** A typical wrong answer: its class in gptkit.grading.wrong, the check that catches it, the mistake. */
    public record Mistake(String className, String caughtBy, String what) {}

    public static <I> Exercise<I> of(Part part, Function<Class<?>, I> binder, List<Check<I>> checks,
                                     Mistake... mistakes) {
        return new Exercise<>(part, binder, checks, List.of(mistakes));
    }

    /** An exercise whose API is a set of static methods, found by name and parameter types (GraderTest). */
    public static <I> Exercise<I> ofStatics(Part part, Class<I> api, List<Check<I>> checks) {
        return new Exercise<>(part, cls -> Bind.statics(api, cls), checks, List.of());
    }

    public String id() {
        return part.id;
    }

    public String notebook() {
        return part.notebook;
    }

    public String file() {
        return part.file;
    }

    public int maxPoints() {
        return checks.stream().mapToInt(Check::points).sum();
    }

    public String path(Target t) {
        return t == Target.EXERCISES ? part.exercisePath() : "solutions/gptkit/solutions/" + file() + ".java";
    }

    public String testClass() {
        return "gptkit.grading." + file() + "ExerciseTest";
    }
}

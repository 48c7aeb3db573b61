package gptkit.grading;

/**
 * One graded check of an exercise: what it tests, what it is worth, and the likely mistake
 * when it fails. The body fails with an AssertionError (or any exception) and passes by returning.
 */
public record Check<I>(String name, int points, String hint, Body<I> body) {
    public interface Body<I> {
        void run(I impl) throws Exception;
    }

    public static <I> Check<I> of(String name, int points, String hint, Body<I> body) {
        return new Check<>(name, points, hint, body);
    }
}

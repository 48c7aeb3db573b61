package gptkit.grading;

import java.time.Duration;

/**
 * One graded check of an exercise: what it tests, what it is worth, and the likely mistake
 * when it fails. The body fails with an AssertionError (or any exception) and passes by returning.
 * A check that trains (the capstone) gets a time limit of its own; null means the grader's.
 */
public record Check<I>(String name, int points, String hint, Body<I> body, Duration timeout) {
    public interface Body<I> {
        void run(I impl) throws Exception;
    }

    public static <I> Check<I> of(String name, int points, String hint, Body<I> body) {
        return new Check<>(name, points, hint, body, null);
    }

    /** A check that trains: its limit is seconds, times -Dgrading.timeout / 10 when that is set. */
    public static <I> Check<I> training(String name, int points, String hint, int seconds, Body<I> body) {
        return new Check<>(name, points, hint, body, Duration.ofSeconds(seconds));
    }
}

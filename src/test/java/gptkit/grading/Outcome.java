package gptkit.grading;

import java.util.List;

/**
 * What one check gave: passed, failed (with why, and a hint when the failure is a known
 * mistake), or not attempted (the TODO still throws).
 */
public record Outcome(Status status, String message, String knownMistake, List<String> possibleMistakes) {
    public enum Status { PASSED, FAILED, NOT_ATTEMPTED }

    public static final Outcome PASSED = new Outcome(Status.PASSED, "", null, List.of());
    public static final Outcome NOT_ATTEMPTED = new Outcome(Status.NOT_ATTEMPTED, "not attempted", null, List.of());

    public static Outcome failed(String message) {
        return new Outcome(Status.FAILED, message, null, List.of());
    }

    public boolean passed() {
        return status == Status.PASSED;
    }

    public Outcome withKnownMistake(String what) {
        return new Outcome(status, message, what, List.of());
    }

    /** Known mistakes that give this very message here but are not certain (another check differs, or several match). */
    public Outcome withPossibleMistakes(List<String> whats) {
        return new Outcome(status, message, null, List.copyOf(whats));
    }

    /** The hint to show: the known mistake's, else the check's; in Chinese with -Dlang=zh (Hints). */
    public String hint(Check<?> c) {
        if (knownMistake == null && !possibleMistakes.isEmpty()) {
            return Hints.possibleMistakes(possibleMistakes) + Hints.of(c.hint());
        }
        return knownMistake == null ? Hints.of(c.hint()) : Hints.knownMistake(knownMistake) + Hints.of(c.hint());
    }
}

package gptkit.grading;

/**
 * What one check gave: passed, failed (with why, and a hint when the failure is a known
 * mistake), or not attempted (the TODO still throws).
 */
public record Outcome(Status status, String message, String knownMistake) {
    public enum Status { PASSED, FAILED, NOT_ATTEMPTED }

    public static final Outcome PASSED = new Outcome(Status.PASSED, "", null);
    public static final Outcome NOT_ATTEMPTED = new Outcome(Status.NOT_ATTEMPTED, "not attempted", null);

    public static Outcome failed(String message) {
        return new Outcome(Status.FAILED, message, null);
    }

    public boolean passed() {
        return status == Status.PASSED;
    }

    public Outcome withKnownMistake(String what) {
        return new Outcome(status, message, what);
    }

    /** The hint to show: the known mistake's, else the check's; in Chinese with -Dlang=zh (Hints). */
    public String hint(Check<?> c) {
        return knownMistake == null ? Hints.of(c.hint()) : Hints.knownMistake(knownMistake) + Hints.of(c.hint());
    }
}

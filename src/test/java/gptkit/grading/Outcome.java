package gptkit.grading;

/** What one check gave: passed, failed (with why), or not attempted (the TODO still throws). */
public record Outcome(Status status, String message) {
    public enum Status { PASSED, FAILED, NOT_ATTEMPTED }

    public static final Outcome PASSED = new Outcome(Status.PASSED, "");
    public static final Outcome NOT_ATTEMPTED = new Outcome(Status.NOT_ATTEMPTED, "not attempted");

    public static Outcome failed(String message) {
        return new Outcome(Status.FAILED, message);
    }

    public boolean passed() {
        return status == Status.PASSED;
    }
}

package gptkit.grading;

import gptkit.exercises.NotImplementedYet;

/** Assertions whose messages say what was expected, what came back, and within what tolerance. */
public final class Expect {
    private Expect() {}

    public static void that(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }

    /** |actual - expected| <= atol + rtol * |expected|; NaN never passes. */
    public static void near(String what, double expected, double actual, double rtol, double atol) {
        if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) {
            String[] v = digits(actual, expected);
            throw new AssertionError(Msg.of("%s is %s, expected %s (tolerance %.1g + %.1g relative)",
                    what, v[0], v[1], atol, rtol));
        }
    }

    /**
     * Both numbers with 9 significant digits, or, when those read the same, all 17 and the
     * difference: a failure must show why it failed ("0.000600000000, expected 0.000600000000" does not).
     */
    static String[] digits(double actual, double expected) {
        String a = String.format("%.9g", actual);
        String e = String.format("%.9g", expected);
        if (a.equals(e)) {
            a = Msg.of("%.17g (%.3g from the expected value)", actual, actual - expected);
            e = String.format("%.17g", expected);
        }
        return new String[] {a, e};
    }

    public static void near(String what, float[] expected, float[] actual, double rtol, double atol) {
        if (actual == null || actual.length != expected.length) {
            throw new AssertionError(actual == null ? Msg.of("%s has no values, expected %d", what, expected.length)
                    : Msg.of("%s has %d values, expected %d", what, actual.length, expected.length));
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) { // the name only on failure
                near(Msg.of("%s[%d]", what, i), expected[i], actual[i], rtol, atol);
            }
        }
    }

    /** Runs r and expects an IllegalArgumentException (NotImplementedYet passes through). */
    public static void rejects(String what, Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            return;
        } catch (NotImplementedYet e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AssertionError(Msg.of("%s threw %s instead of an IllegalArgumentException", what, e));
        }
        throw new AssertionError(Msg.of("%s was accepted; it must throw an IllegalArgumentException", what));
    }
}

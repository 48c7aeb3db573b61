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
            throw new AssertionError(String.format("%s is %.9g, expected %.9g (tolerance %.1g + %.1g relative)",
                    what, actual, expected, atol, rtol));
        }
    }

    public static void near(String what, float[] expected, float[] actual, double rtol, double atol) {
        if (actual == null || actual.length != expected.length) {
            throw new AssertionError(what + " has " + (actual == null ? "no" : actual.length)
                    + " values, expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            near(what + "[" + i + "]", expected[i], actual[i], rtol, atol);
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
            throw new AssertionError(what + " threw " + e + " instead of an IllegalArgumentException");
        }
        throw new AssertionError(what + " was accepted; it must throw an IllegalArgumentException");
    }
}

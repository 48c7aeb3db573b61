package gptkit.grading;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Runs an exercise's checks against a class. Each check runs in its own thread with a time
 * limit, so an endless loop or an exception costs that check only; NotImplementedYet means "not
 * attempted". For JUnit, every check is a dynamic test: a failure fails the build, a check of
 * exercises/ that is not attempted is skipped, one of solutions/ fails.
 */
public final class Grader {
    private Grader() {}

    /** Per check; -Dgrading.timeout=seconds to change it. */
    public static Duration timeout() {
        return Duration.ofMillis((long) (Double.parseDouble(System.getProperty("grading.timeout", "10")) * 1000));
    }

    /** The dynamic tests of one exercise, for its test class's @TestFactory. */
    public static <I> Stream<DynamicNode> grade(Exercise<I> ex) {
        Assumptions.assumeTrue(Selection.selected(ex.id()), () -> ex.id() + " is not selected by -Dexercise");
        List<DynamicNode> nodes = new ArrayList<>();
        for (Target t : Selection.targets()) {
            if (!t.present()) {
                nodes.add(dynamicTest(t.label, () -> {
                    throw new AssertionFailedError("-Dgrade=" + t.label + " but there is no " + t.label + "/ folder");
                }));
                continue;
            }
            Session<I> s = new Session<>(ex, t.className(ex), timeout());
            if (t == Target.EXERCISES) {
                s.broken = LibraryUse.problem(Path.of(System.getProperty("basedir", "."), ex.path(t)));
            }
            nodes.add(dynamicContainer(t.label + ": " + ex.id(), ex.checks().stream().map(c ->
                    dynamicTest("[" + c.points() + " pt] " + c.name(), () -> report(t, ex, c, s.run(c))))));
        }
        return nodes.stream();
    }

    private static <I> void report(Target t, Exercise<I> ex, Check<I> c, Outcome o) {
        ReportCard.record(t, ex, c, o);
        verdict(t, ex, c, o);
    }

    /** Passes, skips (exercises/ not attempted) or fails the check's dynamic test. */
    static <I> void verdict(Target t, Exercise<I> ex, Check<I> c, Outcome o) {
        switch (o.status()) {
            case PASSED -> { }
            case NOT_ATTEMPTED -> {
                if (t == Target.EXERCISES) {
                    throw new TestAbortedException(ex.path(t) + ": not attempted yet");
                }
                throw new AssertionFailedError(ex.path(t) + " still throws NotImplementedYet: "
                        + "the reference answers must be complete");
            }
            case FAILED -> throw new AssertionFailedError(ex.path(t) + ": " + o.message() + "\n  hint: " + c.hint());
        }
    }

    /** Every check of ex against the named class, outside JUnit (the grader's own tests). */
    public static <I> List<Outcome> score(Exercise<I> ex, String className, Duration timeout) {
        Session<I> s = new Session<>(ex, className, timeout);
        return ex.checks().stream().map(s::run).toList();
    }

    public static int points(Exercise<?> ex, List<Outcome> outcomes) {
        int p = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            p += outcomes.get(i).passed() ? ex.checks().get(i).points() : 0;
        }
        return p;
    }

    /** One exercise against one class: binds once, and stops running checks after a hang. */
    static final class Session<I> {
        private final Exercise<I> ex;
        private final String className;
        private final Duration timeout;
        private I impl;
        private String broken;
        private boolean hung;

        Session(Exercise<I> ex, String className, Duration timeout) {
            this.ex = ex;
            this.className = className;
            this.timeout = timeout;
        }

        Outcome run(Check<I> c) {
            if (hung) {
                return Outcome.failed("not run: an earlier check of this exercise never returned (an endless loop?)");
            }
            if (impl == null && broken == null) {
                bind();
            }
            if (broken != null) {
                return Outcome.failed(broken);
            }
            Throwable[] error = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    c.body().run(impl);
                } catch (Throwable e) {
                    error[0] = e;
                }
            }, "grading " + ex.id());
            t.setDaemon(true);
            t.start();
            try {
                t.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                hung = !stop(t);
                return Outcome.failed(String.format("did not finish within %.1f s: an endless loop?",
                        timeout.toMillis() / 1000.0));
            }
            return outcome(error[0]);
        }

        private void bind() {
            try {
                impl = ex.binder().apply(Class.forName(className, false, Grader.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                broken = "class " + className + " is missing";
            } catch (Bind.Mismatch e) {
                broken = e.getMessage();
            } catch (LinkageError e) {
                broken = "cannot load " + className + ": " + e;
            }
        }

        private Outcome outcome(Throwable e) {
            if (e == null) {
                return Outcome.PASSED;
            }
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof NotImplementedYet) {
                    return Outcome.NOT_ATTEMPTED;
                }
            }
            Throwable root = e;
            while ((root instanceof UndeclaredThrowableException || root instanceof InvocationTargetException)
                    && root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof AssertionError || root instanceof Bind.Mismatch) {
                return Outcome.failed(root.getMessage());
            }
            return Outcome.failed("threw " + root + at(root));
        }

        /** Where in the graded class it was thrown, if there. */
        private String at(Throwable e) {
            for (StackTraceElement s : e.getStackTrace()) {
                if (s.getClassName().equals(className) || s.getClassName().startsWith(className + "$")) {
                    return " (at " + s.getFileName() + ":" + s.getLineNumber() + ")";
                }
            }
            return "";
        }

        /** Interrupt, then Thread.stop (still there on Java 17 to 19); true when the thread is gone. */
        private static boolean stop(Thread t) {
            t.interrupt();
            try {
                Thread.class.getMethod("stop").invoke(t);
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // Java 20+: no way to stop it; the remaining checks of this exercise are not run
            }
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return !t.isAlive();
        }
    }
}

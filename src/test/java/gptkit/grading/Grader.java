package gptkit.grading;

import gptkit.exercises.ExerciseCompiler;
import gptkit.exercises.NotImplementedYet;
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
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Runs an exercise's checks against a class. A student's file is compiled on its own first (one
 * that does not compile costs only its exercise) and its compiled classes must obey LibraryUse.
 * Each check runs in its own thread with a time limit, so an endless loop or an exception costs
 * that check only; NotImplementedYet means "not attempted". Checks draw inputs from
 * {@link #random()}, seeded per run, so answers hard-coded for the visible inputs fail. For JUnit,
 * every check is a dynamic test: a failure fails the build, a check of exercises/ that is not
 * attempted is skipped, one of solutions/ fails.
 */
public final class Grader {
    private Grader() {}

    /** The seed of this run's drawn inputs: -Dgrading.seed=N repeats a run. */
    public static final long SEED = Long.getLong("grading.seed", System.nanoTime() % 1_000_000);

    private static final ThreadLocal<Random> RANDOM = new ThreadLocal<>();

    /**
     * The generator of the running check: the same draws for every class graded in this run
     * (a known mistake is recognised by giving the same wrong output), other draws next run.
     */
    public static Random random() {
        Random r = RANDOM.get();
        if (r == null) {
            throw new IllegalStateException("Grader.random() outside a check");
        }
        return r;
    }

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
            s.compileFrom = t == Target.EXERCISES ? Path.of(System.getProperty("basedir", "."), ex.path(t)) : null;
            s.knowMistakes = true;
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
            // the same words as the card's under -Dlang=zh
            case FAILED -> throw new AssertionFailedError(ex.path(t) + ": " + ReportCard.message(o.message())
                    + (Hints.chinese() ? "\n  提示：" : "\n  hint: ") + o.hint(c));
        }
    }

    /** DJL's words for a tensor used after it was closed. */
    static final String RELEASED = "Native resource has been released already";

    /**
     * The exception, and what DJL's message means where it says nothing to a student: a tensor
     * used after it was closed.
     */
    static String explain(Throwable e) {
        String s = String.valueOf(e);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).contains(RELEASED)) {
                return s + ": a tensor was used after it was closed. A part closed or freed an NDArray that "
                        + "is still needed (the loss, the scaled loss, a gradient, an optimizer state): a "
                        + "try-with-resources or NDScope around a tensor that leaves the method, or close() on a "
                        + "tensor the trainer owns. Keep those open (NDScope.unregister, or make them outside the scope)";
            }
        }
        return s;
    }

    /** Every check of ex against the named class, outside JUnit (the grader's own tests). */
    public static <I> List<Outcome> score(Exercise<I> ex, String className, Duration timeout) {
        Session<I> s = new Session<>(ex, className, timeout);
        return ex.checks().stream().map(s::run).toList();
    }

    /** One check (the first whose name starts so) of ex against a class, its failure compared with the known mistakes. */
    public static <I> Outcome recognised(Exercise<I> ex, String className, String check, Duration timeout) {
        Session<I> s = new Session<>(ex, className, timeout);
        s.knowMistakes = true;
        return s.run(ex.checks().stream().filter(c -> c.name().startsWith(check)).findFirst().orElseThrow());
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
        /** exercises/FILE.java to compile on its own; null: the class is on the test class path. */
        Path compileFrom;
        /** Compare a failure with the exercise's known mistakes (not when grading those themselves). */
        boolean knowMistakes;

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
            Outcome o = runTimed(c);
            return knowMistakes && o.status() == Outcome.Status.FAILED ? recognise(c, o) : o;
        }

        /**
         * Names a known mistake only when it is certain: a wrong answer fails this check with the very
         * same message, and it and the graded class have the same outcome, message for message, on
         * every other check of the exercise too (those that train only when that is this check), and no
         * other known mistake does. A match on this check alone, or on several mistakes, is "possibly".
         */
        private Outcome recognise(Check<I> c, Outcome o) {
            if (o.message().startsWith("did not finish") || o.message().startsWith("not run:")) {
                return o; // says nothing about which mistake
            }
            List<Exercise.Mistake> here = new ArrayList<>();
            for (Exercise.Mistake m : ex.mistakes()) {
                String wrong = "gptkit.grading.wrong." + m.className();
                try {
                    Class.forName(wrong, false, Grader.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    continue; // a class copy without the instructor's wrong answers
                }
                if (sameMessage(wrongOutcome(wrong, c).message(), o.message())) {
                    here.add(m);
                }
            }
            if (here.isEmpty()) {
                return o;
            }
            List<Exercise.Mistake> everywhere = new ArrayList<>();
            for (Exercise.Mistake m : here) {
                boolean same = true;
                for (Check<I> other : ex.checks()) {
                    if (other != c && other.timeout() == null && same) {
                        Outcome mine = own(other);
                        Outcome theirs = wrongOutcome("gptkit.grading.wrong." + m.className(), other);
                        same = mine.status() == theirs.status() && sameMessage(mine.message(), theirs.message());
                    }
                }
                if (same) {
                    everywhere.add(m);
                }
            }
            if (everywhere.size() == 1) {
                return o.withKnownMistake(everywhere.get(0).what());
            }
            List<Exercise.Mistake> maybe = everywhere.isEmpty() ? here : everywhere;
            return o.withPossibleMistakes(maybe.stream().map(Exercise.Mistake::what).toList());
        }

        /**
         * Two failures' messages, equal but for the temp folders in them (Files.createTempDirectory's
         * random digits, e.g. gptkit-get-batch13539205781211190830): each run of a check has its own.
         */
        static boolean sameMessage(String a, String b) {
            return a.equals(b) || withoutTempDigits(a).equals(withoutTempDigits(b));
        }

        private static String withoutTempDigits(String s) {
            return s.replaceAll("(?<=[A-Za-z_-])\\d{9,}", "#"); // a number in a value line follows no letter
        }

        /** This class's outcome on another check, run once (same seed, so the same as when graded). */
        private final java.util.Map<Check<I>, Outcome> own = new java.util.HashMap<>();

        private Outcome own(Check<I> other) {
            return own.computeIfAbsent(other, k -> hung ? Outcome.failed("not run") : runTimed(k));
        }

        /** A wrong answer's outcome on a check, run once per grading run (its seed is the run's). */
        private static final java.util.Map<String, Outcome> WRONG = new java.util.concurrent.ConcurrentHashMap<>();

        private Outcome wrongOutcome(String wrong, Check<I> c) {
            String key = wrong + "\n" + ex.id() + "\n" + c.name();
            Outcome known = WRONG.get(key);
            if (known == null) {
                known = new Session<>(ex, wrong, timeout).run(c);
                WRONG.put(key, known);
            }
            return known;
        }

        private Outcome runTimed(Check<I> c) {
            Throwable[] error = new Throwable[1];
            long seed = SEED * 31 + (ex.id() + "/" + c.name()).hashCode();
            Thread t = new Thread(() -> {
                RANDOM.set(new Random(seed));
                try {
                    c.body().run(impl);
                } catch (Throwable e) {
                    error[0] = e;
                }
            }, "grading " + ex.id());
            t.setDaemon(true);
            t.start();
            Duration limit = c.timeout() == null ? timeout
                    : Duration.ofMillis(c.timeout().toMillis() * timeout.toMillis() / timeout().toMillis());
            try {
                t.join(limit.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                hung = !stop(t);
                return Outcome.failed(String.format("did not finish within %.1f s: an endless loop?",
                        limit.toMillis() / 1000.0));
            }
            return outcome(error[0]);
        }

        private void bind() {
            try {
                Class<?> cls;
                if (compileFrom != null) {
                    ExerciseCompiler.Compiled k = ExerciseCompiler.compile(compileFrom, ex.path(Target.EXERCISES),
                            Path.of(System.getProperty("basedir", "."), "target", "exercise-classes", ex.id()),
                            Grader.class.getClassLoader());
                    if (!k.ok()) {
                        broken = k.error();
                        return;
                    }
                    cls = k.load(className);
                    broken = LibraryUse.problem(k.classes());
                } else {
                    cls = Class.forName(className, false, Grader.class.getClassLoader());
                    broken = LibraryUse.problem(cls);
                }
                if (broken == null) {
                    impl = ex.binder().apply(cls);
                }
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
            return Outcome.failed("threw " + explain(root) + at(root));
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

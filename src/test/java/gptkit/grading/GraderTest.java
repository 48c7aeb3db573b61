package gptkit.grading;

import gptkit.exercises.NotImplementedYet;
import gptkit.train.Part;

import gptkit.exercises.ExerciseCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The grader's promises: a loop, an exception or a changed signature costs only its own checks. */
class GraderTest {
    /** The grader's own promises: the instructor's runs check them, a student's -Dexercise run need not wait. */
    @org.junit.jupiter.api.BeforeAll
    static void onlyInTheInstructorsRuns() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Selection.selfTests() && Selection.exercises().isEmpty(),
                "the grader's self-test runs with ./mvnw test and -Dgrade=solutions|all");
    }

    public interface Api {
        int f(int x);
    }

    static final Exercise<Api> EX = Exercise.ofStatics(Part.GET_LR, Api.class, List.of(
            Check.of("f(1) is 2", 3, "double it", a -> Expect.that(a.f(1) == 2, "f(1) is " + a.f(1))),
            Check.of("f(0) is 0", 2, "zero stays zero", a -> Expect.that(a.f(0) == 0, "f(0) is " + a.f(0)))));

    public static final class Right {
        public static int f(int x) {
            return 2 * x;
        }
    }

    public static final class Todo {
        public static int f(int x) {
            throw new NotImplementedYet();
        }
    }

    public static final class LoopsOnOne {
        public static int f(int x) {
            while (x == 1) {
                x = Math.abs(x); // an endless loop that never looks at interrupts
            }
            return 0;
        }
    }

    public static final class ThrowsOnOne {
        public static int f(int x) {
            return 2 / (1 - x) * 0;
        }
    }

    public static final class OtherSignature {
        public static int f(long x) {
            return (int) (2 * x);
        }
    }

    static List<Outcome> score(Class<?> c, long timeoutMs) {
        return Grader.score(EX, c.getName(), Duration.ofMillis(timeoutMs));
    }

    @Test
    void aRightAnswerGetsEveryPoint() {
        assertEquals(5, Grader.points(EX, score(Right.class, 2000)));
    }

    @Test
    void notImplementedYetIsNotAttemptedAndWorthNothing() {
        List<Outcome> out = score(Todo.class, 2000);
        assertTrue(out.stream().allMatch(o -> o.status() == Outcome.Status.NOT_ATTEMPTED), out.toString());
        assertEquals(0, Grader.points(EX, out));
    }

    @Test
    void anEndlessLoopFailsItsCheckOnly() {
        long t0 = System.nanoTime();
        List<Outcome> out = score(LoopsOnOne.class, 300);
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "the time limit did not stop the loop");
        assertEquals(Outcome.Status.FAILED, out.get(0).status());
        assertTrue(out.get(0).message().contains("did not finish within 0.3 s"), out.get(0).message());
        if (Runtime.version().feature() < 20) { // Thread.stop ends the loop, so the next check runs
            assertEquals(Outcome.Status.PASSED, out.get(1).status(), out.get(1).message());
        } else {
            assertTrue(out.get(1).message().startsWith("not run"), out.get(1).message());
        }
    }

    @Test
    void anExceptionFailsItsCheckOnlyAndSaysWhere() {
        List<Outcome> out = score(ThrowsOnOne.class, 2000);
        assertEquals(Outcome.Status.FAILED, out.get(0).status());
        assertTrue(out.get(0).message().matches("threw java.lang.ArithmeticException.*\\(at GraderTest.java:\\d+\\)"),
                out.get(0).message());
        assertEquals(Outcome.Status.PASSED, out.get(1).status());
    }

    @Test
    void aChangedSignatureOrAMissingClassFailsWithTheExpectedSignature() {
        for (Outcome o : score(OtherSignature.class, 2000)) {
            assertEquals(Outcome.Status.FAILED, o.status());
            assertTrue(o.message().contains("public static int f(int)"), o.message());
        }
        Outcome missing = Grader.score(EX, "gptkit.grading.NoSuchClass", Duration.ofSeconds(1)).get(0);
        assertTrue(missing.message().contains("is missing"), missing.message());
    }

    /** A wrong answer's class, compiled with the tests: the rule reads its bytecode. */
    static String problemOf(String wrong) throws ClassNotFoundException {
        return LibraryUse.problem(Class.forName("gptkit.grading.wrong." + wrong));
    }

    @Test
    void theLibraryRuleReadsBytecodeSoNoSpellingHidesACall() throws Exception {
        // the three tricks the source-text rule let through, each now named with its line
        assertTrue(problemOf("GetLrUnicodeEscape").startsWith("it uses gptkit.schedule.GetLr at GetLrUnicodeEscape.java:"),
                problemOf("GetLrUnicodeEscape"));
        assertTrue(problemOf("GetLrBetweenCommentStrings").startsWith("it uses gptkit.schedule.GetLr at "),
                problemOf("GetLrBetweenCommentStrings"));
        String reflection = problemOf("GetLrByReflection"); // forName or getMethod: both are named
        assertTrue(reflection.startsWith("it calls Class.") && reflection.contains(" at GetLrByReflection.java:"),
                reflection);
        // what a part may use: its interface, the config, NDArray, lambdas and string concatenation
        assertNull(LibraryUse.problem(gptkit.solutions.GetLr.class));
        assertNull(LibraryUse.problem(gptkit.solutions.CrossEntropy.class));
    }

    @Test
    void aFileThatDoesNotCompileCostsOnlyItsExerciseAndSaysWhere(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("GetLr.java");
        Files.writeString(src, "public final class GetLr {\n  double lr(int it) { return it * ; }\n}\n");
        ExerciseCompiler.Compiled k = ExerciseCompiler.compile(src, "exercises/GetLr.java", dir.resolve("out"),
                getClass().getClassLoader());
        assertTrue(k.error().startsWith("does not compile: exercises/GetLr.java:2: illegal start of expression"),
                k.error());
        Files.writeString(src, "public final class GetLr {\n  public double lr(int it) { return it * 2.0; }\n}\n");
        k = ExerciseCompiler.compile(src, "exercises/GetLr.java", dir.resolve("out"), getClass().getClassLoader());
        assertTrue(k.ok(), k.error());
        assertEquals(false, k.notAttempted());
        Object o = k.load("GetLr").getDeclaredConstructor().newInstance();
        assertEquals(6.0, o.getClass().getMethod("lr", int.class).invoke(o, 3));
        // a class of the same name that an editor compiled onto the class path does not shadow the file's own
        Files.createDirectories(dir.resolve("stale")); // first: a folder's URL ends in '/' only once it exists
        ClassLoader stale = new java.net.URLClassLoader(new java.net.URL[] {dir.resolve("stale").toUri().toURL()},
                getClass().getClassLoader());
        Files.writeString(src, "public final class GetLr {\n  public double lr(int it) { return -1; }\n}\n");
        assertTrue(ExerciseCompiler.compile(src, "exercises/GetLr.java", dir.resolve("stale"), getClass().getClassLoader()).ok());
        Files.writeString(src, "public final class GetLr {\n  public double lr(int it) { return it * 2.0; }\n}\n");
        k = ExerciseCompiler.compile(src, "exercises/GetLr.java", dir.resolve("fresh"), stale);
        Object fresh = k.load("GetLr").getDeclaredConstructor().newInstance();
        assertEquals(6.0, fresh.getClass().getMethod("lr", int.class).invoke(fresh, 3));
    }

    /** One class with one statement in lr, compiled on its own as a student's file is. */
    static String ruleOn(Path dir, String name, String statement) {
        Path src = dir.resolve(name + "/GetLr.java");
        try {
            Files.createDirectories(src.getParent());
            Files.writeString(src, "import gptkit.schedule.LrSchedule;\nimport gptkit.config.TrainConfig;\n"
                    + "public final class GetLr implements LrSchedule {\n  public GetLr(TrainConfig c) {}\n"
                    + "  public double lr(int it) {\n    " + statement + "\n    return 0;\n  }\n}\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ExerciseCompiler.Compiled k = ExerciseCompiler.compile(src, "exercises/GetLr.java", dir.resolve(name + "/out"),
                GraderTest.class.getClassLoader());
        assertTrue(k.ok(), k.error());
        return LibraryUse.problem(k.classes());
    }

    @Test
    void theLibraryRuleIsAnAllowlistThatNamesTheLineAndTheReason(@TempDir Path dir) {
        // each: a statement, what the refusal must say (the call at GetLr.java:6, and why)
        String[][] refused = {
                {"Thread.currentThread().getStackTrace();", "java.lang.Thread"},
                {"new Throwable().getStackTrace();", "Throwable.getStackTrace at GetLr.java:6: a part may not look at the call stack"},
                {"StackWalker.getInstance();", "java.lang.StackWalker"},
                {"System.getProperty(\"exercise\");", "System.getProperty at GetLr.java:6: a part may not read system properties"},
                {"System.getenv(\"HOME\");", "System.getenv at GetLr.java:6"},
                {"Integer.getInteger(\"x\");", "Integer.getInteger at GetLr.java:6"},
                {"System.exit(0);", "System.exit at GetLr.java:6"},
                {"Runtime.getRuntime();", "java.lang.Runtime"},
                {"java.util.concurrent.Executors.newSingleThreadExecutor();", "java.util.concurrent.Executors"},
                {"new java.beans.Expression(Class.class, \"forName\", new Object[] {\"x\"});", "java.beans.Expression"},
                {"gptkit.schedule.LrSchedule.library(null);", "LrSchedule.library at GetLr.java:6: a part may not call LrSchedule.library"},
                {"try { java.nio.file.Files.readString(java.nio.file.Path.of(\"x\")); } catch (Exception e) {}",
                        "java.nio.file.Files.readString at GetLr.java:6: only the checkpoint part may use files"},
                {"new java.net.Socket();", "java.net.Socket.<init> at GetLr.java:6"},
                {"getClass().getSuperclass();", "java.lang.Class.getSuperclass at GetLr.java:6"}};
        for (String[] r : refused) {
            String p = ruleOn(dir, "r" + java.util.Arrays.asList(refused).indexOf(r), r[0]);
            assertTrue(p != null && p.contains(r[1]) && p.contains("GetLr.java:6"), r[0] + " -> " + p);
        }
        // plain Java a part may use: numbers, strings, collections, streams, records, lambdas, printing
        assertNull(ruleOn(dir, "ok", "java.util.List<Integer> l = new java.util.ArrayList<>(java.util.List.of(1, 2));"
                + " double m = Math.max(l.stream().mapToInt(x -> x).sum(), Double.parseDouble(\"1.5\"));"
                + " String s = \"m=\" + m + new StringBuilder(\"!\"); java.util.Arrays.sort(new int[] {2, 1});"
                + " java.util.Objects.requireNonNull(s); System.out.println(s); int[] a = new int[] {1}.clone();"
                + " assert a.length == 1 : new IllegalStateException(\"x\").getMessage();"));
    }

    /** The TA's student: the warmup with int / int, rate 0 all through warmup (not nanoGPT's off-by-one). */
    public static final class GetLrIntegerWarmup implements gptkit.schedule.LrSchedule {
        private final gptkit.config.TrainConfig c;

        public GetLrIntegerWarmup(gptkit.config.TrainConfig cfg) {
            c = cfg;
        }

        @Override
        public double lr(int it) {
            if (it < c.warmup_iters) {
                return (it + 1) / (c.warmup_iters + 1) * c.learning_rate;
            }
            if (it > c.lr_decay_iters) {
                return c.min_lr;
            }
            double ratio = (double) (it - c.warmup_iters) / (c.lr_decay_iters - c.warmup_iters);
            return c.min_lr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (c.learning_rate - c.min_lr);
        }
    }

    @Test
    void aKnownMistakeIsNamedOnlyWhenEveryCheckAgrees() {
        Exercise<?> ex = GetLrExerciseTest.EXERCISE;
        String offByOne = ex.mistakes().stream().filter(m -> m.className().equals("GetLrWarmupOffByOne"))
                .findFirst().orElseThrow().what();
        Outcome self = Grader.recognised(ex, "gptkit.grading.wrong.GetLrWarmupOffByOne", "warmup step 0", Duration.ofSeconds(10));
        assertEquals(offByOne, self.knownMistake(), self.toString());
        // the same 0 at step 0, but 0 through the whole warmup too: the off-by-one only possibly
        Outcome o = Grader.recognised(ex, GetLrIntegerWarmup.class.getName(), "warmup step 0", Duration.ofSeconds(10));
        assertEquals(Outcome.Status.FAILED, o.status());
        assertNull(o.knownMistake(), o.toString());
        assertEquals(List.of(offByOne), o.possibleMistakes());
        assertTrue(o.hint(ex.checks().get(0)).startsWith("possibly a known mistake"), o.hint(ex.checks().get(0)));
    }

    @Test
    void aFailureShowsDigitsThatDiffer() {
        AssertionError e = assertThrows(AssertionError.class, () -> Expect.near("lr(1)", 6e-4, 6e-4 * (1 + 1e-11), 1e-12, 0));
        // 9 digits read 0.000600000000 twice: all 17 are shown, and the difference
        assertEquals("lr(1) is 0.00060000000000599990 (6.00e-15 from the expected value), expected "
                + "0.00060000000000000000 (tolerance 0 + 1e-12 relative)", e.getMessage());
    }

    @Test
    void nativeResourceReleasedIsExplained() {
        String s = Grader.explain(new IllegalStateException(Grader.RELEASED));
        assertTrue(s.contains("a tensor was used after it was closed") && s.contains("try-with-resources"), s);
        // a loop that closes the loss it then logs: the check says what DJL's words mean, and where
        Outcome o = Grader.recognised(TrainLoopExerciseTest.EXERCISE, "gptkit.grading.wrong.TrainLoopClosesLoss",
                "runs iterations", Duration.ofSeconds(10));
        assertTrue(o.message().contains("a tensor was used after it was closed")
                && o.message().contains("(at TrainLoopClosesLoss.java:"), o.message());
    }

    @Test
    void notAttemptedSkipsForStudentsButFailsForSolutions() {
        Check<Api> c = EX.checks().get(0);
        assertThrows(TestAbortedException.class, () -> Grader.verdict(Target.EXERCISES, EX, c, Outcome.NOT_ATTEMPTED));
        assertThrows(AssertionFailedError.class, () -> Grader.verdict(Target.SOLUTIONS, EX, c, Outcome.NOT_ATTEMPTED));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Grader.verdict(Target.EXERCISES, EX, c, Outcome.failed("f(1) is 3")));
        assertTrue(e.getMessage().contains("f(1) is 3") && e.getMessage().contains("hint: double it"), e.getMessage());
        Grader.verdict(Target.EXERCISES, EX, c, Outcome.PASSED);
    }
}

package gptkit.grading.wrong;

import gptkit.grading.Catalog;
import gptkit.grading.Exercise;
import gptkit.grading.Grader;
import gptkit.grading.Outcome;
import gptkit.grading.Selection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The grader's own test: each typical wrong answer in this folder must lose points, on the check
 * written for its mistake; a right answer computed differently (in double) keeps full marks.
 * Instructor-only, like this folder: -Dgrade=exercises skips it.
 */
class WrongAnswersTest {
    /** A wrong answer, and the start of the name of the check that must catch it. */
    record Wrong(String exercise, String className, String caughtBy) {}

    static final List<Wrong> WRONG = List.of(
            new Wrong("get_batch", "GetBatchTargetsNotShifted", "y is x shifted by one"),
            new Wrong("get_batch", "GetBatchOffsetsPastEnd", "offsets stay in"),
            new Wrong("cross_entropy", "CrossEntropyNaive", "huge logits"),
            new Wrong("adamw", "AdamWNoBiasCorrection", "the first step"),
            new Wrong("adamw", "AdamWEpsInsideSqrt", "tiny gradients"),
            new Wrong("decay_groups", "DecayGroupsDecayEverything", "biases and LayerNorm"),
            new Wrong("get_lr", "GetLrWarmupOffByOne", "warmup step 0"),
            new Wrong("estimate_loss", "EstimateLossNoEvalMode", "eval mode"),
            new Wrong("grad_scaler", "GradScalerStepsOnInf", "inf, -inf and NaN"),
            new Wrong("clip_grad_norm", "ClipGradNormReturnsClippedNorm", "returns the total norm"),
            new Wrong("grad_accumulation", "GradAccumulationNoDivide", "the gradient at the step"),
            new Wrong("ddp", "DdpSums", "gradients are averaged"),
            new Wrong("ddp", "DdpNoDivisibilityCheck", "a world size that does not divide"),
            new Wrong("checkpoint", "CheckpointInPlace", "a save replaces the old checkpoint"),
            new Wrong("checkpoint", "CheckpointForgetsOptimizer", "a resumed run"));

    static final List<String> SUMMARY = new ArrayList<>();

    static boolean selected(String id) {
        return Selection.selfTests() && Selection.selected(id);
    }

    @TestFactory
    Stream<DynamicTest> wrongAnswersLosePoints() {
        Assumptions.assumeTrue(Selection.selfTests(), "the grader's self-test is not run with -Dgrade=exercises");
        return WRONG.stream().filter(w -> selected(w.exercise())).map(w -> dynamicTest(w.className(), () -> {
            Exercise<?> ex = Catalog.byId(w.exercise());
            List<Outcome> out = Grader.score(ex, getClass().getPackageName() + "." + w.className(), Duration.ofSeconds(10));
            int points = Grader.points(ex, out);
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).status() == Outcome.Status.FAILED) {
                    failed.add(ex.checks().get(i).name());
                }
            }
            SUMMARY.add(String.format(" %-18s %-32s %2d/%d  failed: %s", w.exercise(), w.className(), points,
                    ex.maxPoints(), String.join("; ", failed)));
            assertTrue(points < ex.maxPoints(), w.className() + " kept full marks");
            assertTrue(failed.stream().anyMatch(n -> n.startsWith(w.caughtBy())), w.className()
                    + " was not caught by the check '" + w.caughtBy() + "...'; failed: " + failed);
        }));
    }

    @TestFactory
    Stream<DynamicTest> aRightAnswerInDoubleKeepsFullMarks() {
        Assumptions.assumeTrue(selected("adamw"), "adamw not selected");
        return Stream.of(dynamicTest("AdamWInDouble", () -> {
            Exercise<?> ex = Catalog.byId("adamw");
            List<Outcome> out = Grader.score(ex, getClass().getPackageName() + ".AdamWInDouble", Duration.ofSeconds(10));
            assertEquals(ex.maxPoints(), Grader.points(ex, out), "AdamW in double precision lost points: " + out);
        }));
    }

    @AfterAll
    static void summary() {
        if (!SUMMARY.isEmpty()) {
            System.out.println("\nWrong answers and the points they keep:\n" + String.join("\n", SUMMARY));
        }
    }
}

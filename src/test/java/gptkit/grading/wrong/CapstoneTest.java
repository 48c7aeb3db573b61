package gptkit.grading.wrong;

import gptkit.train.Part;
import gptkit.exercises.StudentParts;
import gptkit.grading.Catalog;
import gptkit.grading.Exercise;
import gptkit.grading.LibraryUse;
import gptkit.grading.Selection;
import gptkit.grading.TrainLoopExerciseTest;
import gptkit.train.Loop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The capstone's own proof: with every reference part but one, and that one a typical wrong
 * answer, the small GPT no longer trains as the library's, so the capstone fails. Mistakes that
 * can leave training unchanged are listed with the reason (the part's own checks catch them;
 * they need not fail here); those that break the library rule never reach training. Instructor-only, like this folder.
 */
class CapstoneTest {
    /** Wrong answers that train exactly like the right one, and why the capstone cannot see them. */
    static final Map<String, String> INVISIBLE = Map.ofEntries(
            Map.entry("GetBatchInt32", "int32 indices pick the same tokens as int64 ones"),
            Map.entry("AdamWWithoutNoGrad", "the trainer steps the optimizer outside autograd's recording"),
            Map.entry("ConfigureOptimizersSwapped", "which group comes first changes no update"),
            Map.entry("ConfigureOptimizersHashMap", "the order of tensors in a group changes no update"),
            Map.entry("EstimateLossNoNoGrad", "no_grad saves memory; the losses are the same"),
            Map.entry("EstimateLossNoGradLeftOpen", "the trainer records its own micro-steps whatever was left open"),
            Map.entry("DdpSums", "one process: the sum over one rank is the mean"),
            Map.entry("DdpAllReducePerTensor", "one process: one all-reduce or many, the gradients stay"),
            Map.entry("CheckpointInPlace", "a save that is not atomic trains the same when nothing fails"),
            Map.entry("CheckpointLeavesTemp", "a stray temp file after a failed save changes no number"),
            Map.entry("CheckpointEofWithoutName", "only the message of a failed load differs"),
            Map.entry("GradScalerIgnoresNaN", "float16 overflows give inf; the tiny GPT makes no NaN"),
            Map.entry("GradScalerGrowsOnBackoff", "no overflow of the capstone's run falls on a growth step"),
            Map.entry("ClipGradNormNoEps", "1e-6 next to norms near 1 is below the capstone's 1e-5"),
            Map.entry("ClipGradNormZeroMeansOff", "the capstone clips at a max_norm above 0"),
            Map.entry("GetLrFloorBeforeWarmup", "the capstone's warmup ends before its decay: the branches never meet"),
            Map.entry("EstimateLossTrainNotInFinally", "no batch of the capstone throws"),
            Map.entry("CheckpointPlainJson", "the capstone's best_val_loss is always finite"),
            Map.entry("GradScalerJavaNumber", "the capstone collects garbage in its first micro-steps only, and freed "
                    + "memory may still hold the scale; grad_scaler's own check collects right before backward"));

    static final List<String> SUMMARY = new ArrayList<>();

    @TestFactory
    Stream<DynamicTest> eachSingleWrongPartFailsTheCapstone() {
        Assumptions.assumeTrue(Selection.selfTests() && Selection.selected("train_loop"),
                "the capstone's self-test runs with the instructor's runs that include train_loop");
        Map<Part, Class<?>> solutions = TrainLoopExerciseTest.solutions();
        List<DynamicTest> tests = new ArrayList<>();
        for (Exercise<?> ex : Catalog.ALL) {
            if (ex.part() == Part.TRAIN_LOOP || ex.part() == Part.LORA || ex.part() == Part.SFT_MASK) {
                // the capstone pre-trains from scratch: no LoRA (lora_rank=0), and get_batch's windows, not
                // finetune's SFT batches, so neither the LoRA part nor the loss-mask part is used there
                continue;
            }
            for (Exercise.Mistake m : ex.mistakes()) {
                tests.add(dynamicTest(m.className(), () -> {
                    Class<?> wrong = Class.forName(getClass().getPackageName() + "." + m.className());
                    if (LibraryUse.problem(wrong) != null || StudentParts.mismatch(ex.part(), wrong) != null) {
                        SUMMARY.add(String.format(" %-34s never trains: %s", m.className(), "breaks the library rule"));
                        return;
                    }
                    Map<Part, Class<?>> parts = new EnumMap<>(solutions);
                    parts.put(ex.part(), wrong);
                    TrainLoopExerciseTest.Api api = new TrainLoopExerciseTest.Api() {
                        @Override
                        public Loop create() {
                            return new gptkit.solutions.TrainLoop();
                        }

                        @Override
                        public Map<Part, Class<?>> parts() {
                            return parts;
                        }
                    };
                    String why = INVISIBLE.get(m.className());
                    try {
                        TrainLoopExerciseTest.capstone(api, false);
                    } catch (Throwable e) {
                        // a listed mistake need not pass it either: only the unlisted ones must fail
                        SUMMARY.add(String.format(" %-34s fails the capstone: %s", m.className(),
                                String.valueOf(e.getMessage()).replaceAll(".*resumed, with [^:]*: ", "")));
                        return;
                    }
                    SUMMARY.add(String.format(" %-34s trains like the right part: %s", m.className(), why));
                    if (why == null) {
                        throw new AssertionError(m.className() + " passed the capstone: the capstone does not see "
                                + "this mistake");
                    }
                }));
            }
        }
        return tests.stream();
    }

    /** To a file, not the console: the table lists the mistakes to avoid, a spoiler on a shared screen. */
    @AfterAll
    static void summary() throws java.io.IOException {
        if (!SUMMARY.isEmpty()) {
            java.nio.file.Path f = java.nio.file.Path.of(System.getProperty("basedir", "."), "target", "capstone-wrong-parts.txt");
            java.nio.file.Files.createDirectories(f.getParent());
            java.nio.file.Files.writeString(f, "Each wrong part alone, in the capstone:\n" + String.join("\n", SUMMARY) + "\n");
        }
    }
}

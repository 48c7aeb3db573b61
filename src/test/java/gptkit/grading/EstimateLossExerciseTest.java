package gptkit.grading;

import gptkit.exercises.Part;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/EstimateLoss.java (estimate_loss, notebook 05) with a recording model: its
 * losses are scripted, and every call notes the mode and whether a no_grad block was open.
 */
@ExtendWith(ReportCard.class)
public class EstimateLossExerciseTest {
    public interface Api {
        Map<String, Double> estimateLoss(EvalModel model, int evalIters);
    }

    /** One loss() call as the model saw it. */
    record Call(String split, boolean training, boolean noGrad, double loss) {}

    static final class Recorder implements EvalModel {
        boolean training = true;
        int open;
        final List<Call> calls = new ArrayList<>();

        @Override
        public void train(boolean on) {
            training = on;
        }

        @Override
        public NoGrad noGrad() {
            open++;
            boolean[] closed = {false};
            return () -> {
                if (!closed[0]) {
                    closed[0] = true;
                    open--;
                }
            };
        }

        @Override
        public double loss(String split) {
            long n = calls.stream().filter(c -> c.split().equals(split)).count();
            double l = ("val".equals(split) ? 3.0 : 2.0) + 0.37 * ((n * 7) % 5); // differs batch to batch
            calls.add(new Call(split, training, open > 0, l));
            return l;
        }

        double mean(String split) {
            return calls.stream().filter(c -> c.split().equals(split)).mapToDouble(Call::loss).average().orElse(Double.NaN);
        }

        long count(String split) {
            return calls.stream().filter(c -> c.split().equals(split)).count();
        }
    }

    static Recorder run(Api a, int evalIters, Map<String, Double>[] out) {
        Recorder r = new Recorder();
        Map<String, Double> res = a.estimateLoss(r, evalIters);
        if (out != null) {
            out[0] = res;
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Double>[] box() {
        return new Map[1];
    }

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.ESTIMATE_LOSS, Api.class, List.of(
            Check.of("the mean of eval_iters batch losses, for 'train' and for 'val'", 3,
                    "for each split call model.loss(split) eval_iters times (a fresh batch each) and average; "
                            + "return {\"train\": mean, \"val\": mean}.",
                    a -> {
                        Map<String, Double>[] out = box();
                        Recorder r = run(a, 5, out);
                        that(out[0] != null, "estimateLoss returned null");
                        for (String s : new String[] {"train", "val"}) {
                            that(r.count(s) == 5, "model.loss(\"" + s + "\") was called " + r.count(s)
                                    + " times for eval_iters 5");
                            that(out[0].get(s) != null, "the result has no \"" + s + "\" entry: " + out[0]);
                            near("the " + s + " loss", r.mean(s), out[0].get(s), 1e-12, 0);
                        }
                    }),
            Check.of("each split is evaluated on its own batches", 1,
                    "call model.loss(\"train\") for the train mean and model.loss(\"val\") for the val mean.",
                    a -> {
                        Map<String, Double>[] out = box();
                        Recorder r = run(a, 3, out);
                        that(r.count("train") == 3 && r.count("val") == 3, "expected 3 batches of each split, got "
                                + r.count("train") + " train and " + r.count("val") + " val");
                        that(out[0] != null && out[0].get("val") != null && out[0].get("val") > 2.9,
                                "the \"val\" entry is not the mean of the val batches: " + out[0]);
                    }),
            Check.of("eval mode while evaluating (dropout off)", 2,
                    "call model.train(false), nanoGPT's model.eval(), before the first loss: dropout would make the "
                            + "estimate noisy and too high.",
                    a -> {
                        Recorder r = run(a, 4, null);
                        that(!r.calls.isEmpty() && r.calls.stream().noneMatch(Call::training),
                                "some losses were computed in training mode");
                    }),
            Check.of("no gradients recorded: every loss inside no_grad, closed afterwards", 2,
                    "try (EvalModel.NoGrad ng = model.noGrad()) { ... } around the loop: like @torch.no_grad(), "
                            + "no graph is built and no memory held.",
                    a -> {
                        Recorder r = run(a, 4, null);
                        that(!r.calls.isEmpty() && r.calls.stream().allMatch(Call::noGrad),
                                "some losses were computed outside a no_grad block");
                        that(r.open == 0, "a no_grad block was left open: close it (try-with-resources)");
                    }),
            Check.of("training mode again afterwards", 2,
                    "end with model.train(true), nanoGPT's model.train(): otherwise training goes on without dropout.",
                    a -> that(run(a, 2, null).training, "the model was left in eval mode"))));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

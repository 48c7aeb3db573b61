package gptkit.grading;

import gptkit.autograd.Autograd;
import gptkit.train.Part;
import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/EstimateLoss.java (estimate_loss, notebook 05): the LossEstimator part, run on
 * a recording model (EvalModel) whose batch losses are scripted: the old fixed script and
 * sequences drawn per run, with eval_iters drawn too. Each loss() call notes the model's mode and
 * whether libtorch was recording gradients. Expected means are exact (tolerance 1e-12 relative).
 */
@ExtendWith(ReportCard.class)
public class EstimateLossExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        LossEstimator create();
    }

    static final double R = 1e-12;

    /** One estimate_loss call: what the model saw, what came back, and the grad mode after it. */
    record Run(EvalModel model, EvalModel.Script script, int evalIters, Losses out, boolean gradModeAfter) {
        String what() {
            return "eval_iters " + evalIters;
        }

        double mean(String split) {
            return EvalModel.mean(script, split, evalIters);
        }
    }

    /** Runs the part as the trainer does: between training steps, with gradients being recorded. */
    static Run run(Api a, EvalModel.Script s, int evalIters) {
        EvalModel m = new EvalModel(s);
        try (Autograd rec = Autograd.record()) {
            Losses out = a.create().estimateLoss(m, evalIters);
            that(out != null, Msg.of("estimateLoss returned null (eval_iters %s)", evalIters));
            return new Run(m, s, evalIters, out, EvalModel.gradMode());
        }
    }

    /** The old test's run and one with losses and eval_iters drawn for this run. */
    static List<Run> runs(Api a, int fixedIters) {
        return List.of(run(a, EvalModel.FIXED, fixedIters), run(a, EvalModel.drawn(), 1 + Grader.random().nextInt(60)));
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.ESTIMATE_LOSS, cls -> {
        Bind.Ctor<LossEstimator> ctor = Bind.part(cls, LossEstimator.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("the mean of eval_iters batch losses, for 'train' and for 'val'", 3,
                    "for each split call model.loss(split) eval_iters times, a fresh batch each (not one batch "
                            + "used eval_iters times), sum and divide by eval_iters: for (k = 0; k < evalIters; k++).",
                    a -> {
                        for (Run r : runs(a, 5)) {
                            for (String s : new String[] {"train", "val"}) {
                                long n = r.model().count(s);
                                that(n == r.evalIters(), Msg.of("model.loss(\"%s\") was called %s times for %s: "
                                        + "each of the eval_iters losses needs its own batch", s, n, r.what()));
                            }
                            // either entry may hold a split's mean here; which one is the next check's business
                            for (String s : new String[] {"train", "val"}) {
                                double want = r.mean(s);
                                boolean found = Math.abs(r.out().train() - want) <= R * Math.abs(want)
                                        || Math.abs(r.out().val() - want) <= R * Math.abs(want);
                                that(found, Msg.of("the mean of the %d %s losses is %.9g, but the result is %s (%s)",
                                        r.evalIters(), s, want, r.out(), r.what()));
                            }
                        }
                    }),
            Check.of("each split is evaluated on its own batches", 2,
                    "the train entry is the mean of model.loss(\"train\"), the val entry the mean of "
                            + "model.loss(\"val\"): new Losses(train, val), in that order.",
                    a -> {
                        for (Run r : runs(a, 3)) {
                            that(r.model().count("train") > 0 && r.model().count("val") > 0, Msg.of("expected "
                                    + "batches of both splits, got %s train and %s val (%s)",
                                    r.model().count("train"), r.model().count("val"), r.what()));
                            near(Msg.of("the train entry (%s)", r.what()), r.mean("train"), r.out().train(), R, 0);
                            near(Msg.of("the val entry (%s)", r.what()), r.mean("val"), r.out().val(), R, 0);
                        }
                    }),
            Check.of("eval mode while evaluating (dropout off)", 2,
                    "call model.train(false), nanoGPT's model.eval(), before the first loss: dropout would make the "
                            + "estimate noisy and too high.",
                    a -> {
                        for (Run r : runs(a, 4)) {
                            that(!r.model().calls.isEmpty(), Msg.of("model.loss was never called (%s)", r.what()));
                            long inTraining = r.model().calls.stream().filter(EvalModel.Call::training).count();
                            that(inTraining == 0, Msg.of("%s of %s losses were computed in training mode (%s)",
                                    inTraining, r.model().calls.size(), r.what()));
                        }
                    }),
            Check.of("no gradients recorded: every loss inside no_grad, closed afterwards", 2,
                    "try (NoGrad ng = NoGrad.open()) { ... } around the loops, like @torch.no_grad(): no graph is "
                            + "built, no activations held; try-with-resources turns recording back on at the end.",
                    a -> {
                        for (Run r : runs(a, 4)) {
                            that(!r.model().calls.isEmpty(), Msg.of("model.loss was never called (%s)", r.what()));
                            long recorded = r.model().calls.stream().filter(EvalModel.Call::gradMode).count();
                            that(recorded == 0, Msg.of("%s of %s losses were computed while the engine recorded "
                                    + "gradients: outside a no_grad block (%s)", recorded, r.model().calls.size(),
                                    r.what()));
                            that(r.gradModeAfter(), Msg.of("gradients were still off after estimateLoss returned: "
                                    + "the no_grad block was left open, and the next training step would not learn "
                                    + "(%s)", r.what()));
                        }
                    }),
            Check.of("training mode again afterwards", 2,
                    "end with model.train(true), nanoGPT's model.train(): otherwise training goes on without dropout.",
                    a -> {
                        for (Run r : runs(a, 2)) {
                            that(r.model().training, Msg.of("the model was left in eval mode (%s)", r.what()));
                        }
                    }),
            Check.of("a batch that throws: training mode and gradient recording come back all the same", 1,
                    "put model.train(true) in a finally block and open no_grad in try-with-resources: a batch "
                            + "that throws (out of memory, a bad file) must not leave the model in eval mode or "
                            + "gradients off for the training that goes on after the error is handled.",
                    a -> {
                        int evalIters = 1 + Grader.random().nextInt(20);
                        int failAt = Grader.random().nextInt(evalIters);
                        EvalModel.Script base = EvalModel.drawn();
                        EvalModel m = new EvalModel((split, k) -> {
                            if ("val".equals(split) && k == failAt) {
                                throw new IllegalStateException("batch " + k + " of 'val' failed (the grader's doing)");
                            }
                            return base.loss(split, k);
                        });
                        String what = Msg.of("eval_iters %s, batch %s of 'val' threw", evalIters, failAt);
                        try (Autograd rec = Autograd.record()) {
                            try {
                                a.create().estimateLoss(m, evalIters);
                            } catch (gptkit.exercises.NotImplementedYet e) {
                                throw e;
                            } catch (RuntimeException e) {
                                // expected: the batch's error goes on to the trainer
                            }
                            that(m.training, Msg.of("the model was left in eval mode (%s): model.train(true) was "
                                    + "skipped by the exception", what));
                            that(EvalModel.gradMode(), Msg.of("gradient recording was left off (%s)", what));
                        }
                    })),
            new Exercise.Mistake("EstimateLossTrainNotInFinally", "a batch that throws",
                    "model.train(true) after the try, not in finally: an exception leaves the model in eval mode"),
            new Exercise.Mistake("EstimateLossNoEvalMode", "eval mode",
                    "no model.train(false): the losses are computed with dropout on"),
            new Exercise.Mistake("EstimateLossStaysInEvalMode", "training mode again",
                    "no model.train(true) at the end: training goes on in eval mode"),
            new Exercise.Mistake("EstimateLossNoNoGrad", "no gradients recorded",
                    "no no_grad block: every evaluation batch builds an autograd graph"),
            new Exercise.Mistake("EstimateLossNoGradLeftOpen", "no gradients recorded",
                    "NoGrad.open() without closing it: gradients stay off for the training that follows"),
            new Exercise.Mistake("EstimateLossOneBatch", "the mean of eval_iters",
                    "one batch per split, its loss multiplied by eval_iters: the mean of one batch"),
            new Exercise.Mistake("EstimateLossOffByOne", "the mean of eval_iters",
                    "the loop runs eval_iters - 1 times but divides by eval_iters"),
            new Exercise.Mistake("EstimateLossSplitsSwapped", "each split",
                    "new Losses(val, train): the splits swapped"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

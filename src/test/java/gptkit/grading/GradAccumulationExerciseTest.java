package gptkit.grading;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/GradAccumulation.java (grad_accumulation, notebook 07) with a linear model
 * that keeps torch's gradient rules (backward adds up, zero_grad clears) and records every call.
 * Exact math in double: the accumulated gradient must equal the full batch's within 1e-12.
 */
@ExtendWith(ReportCard.class)
public class GradAccumulationExerciseTest {
    public interface Api {
        double trainStep(AccumModel model, int gradientAccumulationSteps, double gradClip);
    }

    /** y ~ w . x on 8 samples; micro-step k takes samples [k * 8 / steps, (k + 1) * 8 / steps). */
    static final class Linear implements AccumModel {
        static final double[][] X = {{1, 2, 0}, {0, 1, -1}, {2, 0, 1}, {-1, 1, 1}, {3, -1, 0}, {0, 0, 2},
                {1, 1, 1}, {-2, 0, 1}};
        static final double[] Y = {1, -2, 0.5, 3, -1, 2, 0, 1.5};
        final double[] w = {0.3, -0.2, 0.1};
        final int steps;
        double[] grad; // null: set_to_none
        final List<String> log = new ArrayList<>();
        double[] gradAtStep;
        double normAtClip = Double.NaN;

        Linear(int steps) {
            this.steps = steps;
        }

        /** Mean squared error of samples [from, to) and its gradient. */
        double[] lossAndGrad(int from, int to) {
            double[] out = new double[4]; // loss, dw0, dw1, dw2
            int n = to - from;
            for (int i = from; i < to; i++) {
                double r = w[0] * X[i][0] + w[1] * X[i][1] + w[2] * X[i][2] - Y[i];
                out[0] += r * r / n;
                for (int j = 0; j < 3; j++) {
                    out[1 + j] += 2 * r * X[i][j] / n;
                }
            }
            return out;
        }

        @Override
        public Loss forward(int microStep) {
            that(microStep >= 0 && microStep < steps, "forward(" + microStep + "): micro-steps are 0 to " + (steps - 1));
            log.add("forward " + microStep);
            int per = X.length / steps;
            return new T(lossAndGrad(microStep * per, (microStep + 1) * per), 1.0);
        }

        final class T implements Loss {
            final double[] lg;
            final double factor;
            boolean done;

            T(double[] lg, double factor) {
                this.lg = lg;
                this.factor = factor;
            }

            @Override
            public Loss div(double d) {
                return new T(lg, factor / d);
            }

            @Override
            public double item() {
                return lg[0] * factor;
            }

            @Override
            public void backward() {
                that(!done, "backward() twice on the same loss (torch: the graph is freed after the first)");
                done = true;
                log.add("backward");
                if (grad == null) {
                    grad = new double[3];
                }
                for (int j = 0; j < 3; j++) {
                    grad[j] += lg[1 + j] * factor;
                }
            }
        }

        @Override
        public void clipGradNorm(double maxNorm) {
            log.add("clip");
            normAtClip = grad == null ? 0 : Math.sqrt(grad[0] * grad[0] + grad[1] * grad[1] + grad[2] * grad[2]);
        }

        @Override
        public void optimizerStep() {
            log.add("step");
            gradAtStep = grad == null ? null : grad.clone();
        }

        @Override
        public void zeroGrad() {
            log.add("zero");
            grad = null;
        }

        long count(String what) {
            return log.stream().filter(s -> s.equals(what)).count();
        }
    }

    static Linear run(Api a, int steps, double clip, double[] lossf) {
        Linear m = new Linear(steps);
        double l = a.trainStep(m, steps, clip);
        if (lossf != null) {
            lossf[0] = l;
        }
        return m;
    }

    public static final Exercise<Api> EXERCISE = Exercise.of("grad_accumulation", "07", "GradAccumulation", Api.class,
            List.of(
            Check.of("the gradient at the step is the whole batch's: 4 micro-batches = 1 batch of 8", 3,
                    "divide each micro-step's loss by gradient_accumulation_steps before backward(): the loss is a "
                            + "mean, and the sum of 4 undivided micro-gradients is 4 times too large.",
                    a -> {
                        for (int steps : new int[] {4, 2, 1}) {
                            Linear m = run(a, steps, 0.0, null);
                            double[] full = new Linear(1).lossAndGrad(0, 8);
                            that(m.gradAtStep != null, "optimizer.step() saw no gradient (backward never ran?)");
                            for (int j = 0; j < 3; j++) {
                                near("the gradient of w[" + j + "] at the step (" + steps + " micro-steps)", full[1 + j],
                                        m.gradAtStep[j], 1e-12, 1e-15);
                            }
                        }
                    }),
            Check.of("one optimizer step, after the last micro-step's backward", 2,
                    "optimizer.step() once per iteration, after the loop; not once per micro-batch.",
                    a -> {
                        Linear m = run(a, 4, 0.0, null);
                        that(m.count("step") == 1, "optimizer.step() ran " + m.count("step") + " times for 4 micro-steps");
                        that(m.log.lastIndexOf("backward") < m.log.indexOf("step"), "a backward() came after the step: "
                                + m.log);
                    }),
            Check.of("gradients add up across micro-steps, and are cleared after the step", 2,
                    "zero_grad() only after optimizer.step(): zeroing between micro-steps keeps only the last one's "
                            + "gradient; not zeroing after the step mixes this batch into the next.",
                    a -> {
                        Linear m = run(a, 4, 0.0, null);
                        int firstBackward = m.log.indexOf("backward");
                        int step = m.log.indexOf("step");
                        for (int i = firstBackward; i < step && i >= 0; i++) {
                            that(!m.log.get(i).equals("zero"), "zero_grad() between micro-steps: " + m.log);
                        }
                        that(m.grad == null && m.log.lastIndexOf("zero") > step, "the gradients were not cleared "
                                + "after the step: " + m.log);
                    }),
            Check.of("each micro-batch is used once, in order", 1,
                    "forward(micro_step) for micro_step 0 to gradient_accumulation_steps - 1, one backward each.",
                    a -> {
                        Linear m = run(a, 4, 0.0, null);
                        List<String> fwd = m.log.stream().filter(s -> s.startsWith("forward")).toList();
                        that(fwd.equals(List.of("forward 0", "forward 1", "forward 2", "forward 3")),
                                "forward calls were " + fwd);
                        that(m.count("backward") == 4, "backward() ran " + m.count("backward") + " times for 4 micro-steps");
                    }),
            Check.of("clipping runs once on the full gradient, before the step; never with grad_clip 0", 1,
                    "clip_grad_norm_ after the loop and before optimizer.step(), only if grad_clip != 0.0.",
                    a -> {
                        Linear m = run(a, 4, 1.0, null);
                        that(m.count("clip") == 1 && m.log.indexOf("clip") > m.log.lastIndexOf("backward")
                                && m.log.indexOf("clip") < m.log.indexOf("step"), "with grad_clip 1.0 the calls were " + m.log);
                        double[] full = new Linear(1).lossAndGrad(0, 8);
                        near("the norm the clip saw", Math.sqrt(full[1] * full[1] + full[2] * full[2] + full[3] * full[3]),
                                m.normAtClip, 1e-12, 0);
                        Linear off = run(a, 4, 0.0, null);
                        that(off.count("clip") == 0, "grad_clip 0.0 means no clipping, but clip ran: " + off.log);
                    }),
            Check.of("returns the loss train.py logs: the last micro-step's, times the steps", 1,
                    "lossf = loss.item() * gradient_accumulation_steps, with loss the last micro-step's divided loss: "
                            + "that is the last micro-batch's own mean loss.",
                    a -> {
                        double[] lossf = new double[1];
                        run(a, 4, 0.0, lossf);
                        near("the returned loss", new Linear(4).lossAndGrad(6, 8)[0], lossf[0], 1e-12, 0);
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

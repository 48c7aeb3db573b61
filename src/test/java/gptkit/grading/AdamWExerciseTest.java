package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.Fixtures;
import gptkit.autograd.Autograd;
import gptkit.autograd.Tensors;
import gptkit.train.Part;
import gptkit.optim.AdamW;
import gptkit.optim.Optimizer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/AdamW.java (adamw, notebook 03): the Optimizer part, built over parameter
 * groups. Fixed inputs replay torch.optim.AdamW (fixtures/ex_adamw.json); drawn inputs (shapes,
 * gradients, hyperparameters, a decayed and a not decayed group) are replayed on the part and on
 * gptkit.optim.AdamW, each on its own copy of the tensors. Tolerance 2e-5 relative + 1e-6
 * absolute (1e-8 for exp_avg_sq): torch works in float32, an answer in double drifts that little.
 */
@ExtendWith(ReportCard.class)
public class AdamWExerciseTest {
    /** The student's part over these groups and settings, fresh per call. */
    public interface Api {
        Optimizer create(List<AdamW.ParamGroup> groups, double lr, double beta1, double beta2, double eps);
    }

    static final double RTOL = 2e-5;
    static final double ATOL = 1e-6;
    static final double ATOL_SQ = 1e-8;

    static NDManager manager() {
        return NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch");
    }

    /** The tensor state() holds under this name, or a failure that says which is missing. */
    static NDArray state(Optimizer o, String key) {
        Map<String, NDArray> s = o.state();
        that(s != null, Msg.of("state() returned null"));
        NDArray t = s.get(key);
        that(t != null, Msg.of("state() has no tensor '%s'; it has %s", key, s.keySet()));
        return t;
    }

    /** Replays a fixture case; checks p (and exp_avg, exp_avg_sq when moments is set) after every step. */
    static void replay(Api a, String name, boolean moments) {
        JsonObject c = Fixtures.load("ex_adamw.json").getAsJsonObject(name);
        JsonArray grads = c.getAsJsonArray("grads");
        JsonArray lrs = c.getAsJsonArray("lrs");
        JsonArray betas = c.getAsJsonArray("betas");
        try (NDManager m = manager()) {
            NDArray p = m.create(Fixtures.floats(c.getAsJsonArray("p0")));
            Optimizer o = a.create(List.of(new AdamW.ParamGroup(Map.of("w", p), c.get("weight_decay").getAsDouble())),
                    lrs.get(0).getAsDouble(), betas.get(0).getAsDouble(), betas.get(1).getAsDouble(),
                    c.get("eps").getAsDouble());
            for (int s = 0; s < grads.size(); s++) {
                o.setLearningRate(lrs.get(s).getAsDouble());
                o.step(Map.of("w", m.create(Fixtures.floats(grads.get(s).getAsJsonArray()))));
                String at = Msg.of(" after step %s (torch's '%s' case)", (s + 1), name);
                near(Msg.of("p%s", at), Fixtures.floats(c.getAsJsonArray("p").get(s).getAsJsonArray()), p.toFloatArray(),
                        RTOL, ATOL);
                if (moments) {
                    near(Msg.of("exp_avg%s", at), Fixtures.floats(c.getAsJsonArray("exp_avg").get(s).getAsJsonArray()),
                            state(o, "exp_avg.w").toFloatArray(), RTOL, ATOL);
                    near(Msg.of("exp_avg_sq%s", at), Fixtures.floats(c.getAsJsonArray("exp_avg_sq").get(s).getAsJsonArray()),
                            state(o, "exp_avg_sq.w").toFloatArray(), RTOL, ATOL_SQ);
                }
            }
        }
    }

    /**
     * A run from plain Java values, played on the part and on the library's AdamW: parameters
     * by name (decayed group first, then the no-decay group), gradients per step, settings.
     */
    static final class Run {
        final Map<String, long[]> shapes = new LinkedHashMap<>();
        final Map<String, float[]> p0 = new LinkedHashMap<>();
        final Set<String> noDecay = new LinkedHashSet<>();
        double weightDecay;
        double beta1;
        double beta2;
        double eps;
        double[] lrs;
        final List<Map<String, float[]>> grads = new ArrayList<>();
        /** Loaded into state() in place before the first step (a resume), or null. */
        Map<String, float[]> m0;
        Map<String, float[]> v0;
        /** setStepCount before the first step (0: a fresh optimizer). */
        long start;
        /** The parameters require gradients, as the model's do. */
        boolean requiresGrad;

        String what() {
            return Msg.of("drawn: %s, weight_decay %.3g, betas (%.4g, %.4g), eps %.2g%s", describe(), weightDecay,
                    beta1, beta2, eps, start > 0 ? Msg.of(", resumed at step %d", start) : "");
        }

        private String describe() {
            List<String> out = new ArrayList<>();
            shapes.forEach((n, s) -> out.add(n + Arrays.toString(s) + (noDecay.contains(n) ? " no-decay" : "")));
            return String.join(", ", out);
        }

        List<AdamW.ParamGroup> groups(Map<String, NDArray> ps) {
            Map<String, NDArray> decay = new LinkedHashMap<>();
            Map<String, NDArray> none = new LinkedHashMap<>();
            ps.forEach((n, p) -> (noDecay.contains(n) ? none : decay).put(n, p));
            List<AdamW.ParamGroup> g = new ArrayList<>();
            g.add(new AdamW.ParamGroup(decay, weightDecay));
            if (!none.isEmpty()) {
                g.add(new AdamW.ParamGroup(none, 0.0));
            }
            return g;
        }

        Map<String, NDArray> tensors(NDManager m, Map<String, float[]> values) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            values.forEach((n, v) -> out.put(n, m.create(v, new Shape(shapes.get(n)))));
            return out;
        }
    }

    static float[] normal(Random r, int n, double scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextGaussian() * scale);
        }
        return out;
    }

    static double logUniform(Random r, double lo, double hi) {
        return Math.pow(10, Math.log10(lo) + r.nextDouble() * (Math.log10(hi) - Math.log10(lo)));
    }

    /**
     * Drawn for this run: 1-3 decayed tensors (2 or 3 dims) and, when twoGroups, 1-2 not decayed
     * (1 dim); gradients of about gradScale, some elements exactly 0; lr per step in 1e-4..3e-2.
     */
    static Run drawn(int steps, boolean twoGroups, double gradScale) {
        Random r = Grader.random();
        Run run = new Run();
        int decayed = 1 + r.nextInt(3);
        int none = twoGroups ? 1 + r.nextInt(2) : 0;
        for (int i = 0; i < decayed + none; i++) {
            boolean matrix = i < decayed;
            long[] shape = matrix ? new long[2 + r.nextInt(2)] : new long[1];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = 1 + r.nextInt(matrix ? 5 : 9);
            }
            String name = matrix ? "h." + i + ".weight" : "h." + i + ".bias";
            run.shapes.put(name, shape);
            run.p0.put(name, normal(r, (int) new Shape(shape).size(), 1.0));
            if (!matrix) {
                run.noDecay.add(name);
            }
        }
        run.weightDecay = logUniform(r, 1e-2, 1.0);
        run.beta1 = 0.8 + 0.15 * r.nextDouble();
        run.beta2 = 0.9 + 0.099 * r.nextDouble();
        run.eps = logUniform(r, 1e-9, 1e-7);
        run.lrs = new double[steps];
        for (int s = 0; s < steps; s++) {
            run.lrs[s] = logUniform(r, 1e-4, 3e-2);
            Map<String, float[]> g = new LinkedHashMap<>();
            for (String n : run.shapes.keySet()) {
                float[] v = normal(r, run.p0.get(n).length, gradScale * logUniform(r, 0.1, 1.0));
                for (int i = 0; i < v.length; i++) {
                    if (r.nextInt(10) == 0) {
                        v[i] = 0f; // a weight without gradient this step
                    }
                }
                g.put(n, v);
            }
            run.grads.add(g);
        }
        return run;
    }

    /** State values for a resume: exp_avg about gradients' size, exp_avg_sq positive. */
    static void drawState(Run run, Random r) {
        run.m0 = new LinkedHashMap<>();
        run.v0 = new LinkedHashMap<>();
        run.p0.forEach((n, p) -> {
            run.m0.put(n, normal(r, p.length, 0.3));
            float[] v = normal(r, p.length, 0.3);
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] * v[i];
            }
            run.v0.put(n, v);
        });
    }

    /** Plays run on the part and on the library's AdamW, each on its own tensors; compares after every step. */
    static void againstLibrary(Api a, Run run) {
        try (NDManager m = manager()) {
            Map<String, NDArray> ps = run.tensors(m, run.p0);
            Map<String, NDArray> refs = run.tensors(m, run.p0);
            if (run.requiresGrad) {
                ps.values().forEach(p -> p.setRequiresGradient(true));
                refs.values().forEach(p -> p.setRequiresGradient(true));
            }
            Optimizer got = a.create(run.groups(ps), run.lrs[0], run.beta1, run.beta2, run.eps);
            AdamW want = new AdamW(run.groups(refs), run.lrs[0], run.beta1, run.beta2, run.eps);
            if (run.m0 != null) {
                for (String n : run.shapes.keySet()) {
                    Tensors.copyInto(state(got, "exp_avg." + n), run.m0.get(n));
                    Tensors.copyInto(state(got, "exp_avg_sq." + n), run.v0.get(n));
                    Tensors.copyInto(want.expAvg().get(n), run.m0.get(n));
                    Tensors.copyInto(want.expAvgSq().get(n), run.v0.get(n));
                }
            }
            if (run.start > 0) {
                got.setStepCount(run.start);
                want.setStepCount(run.start);
            }
            for (int s = 0; s < run.lrs.length; s++) {
                got.setLearningRate(run.lrs[s]);
                want.setLearningRate(run.lrs[s]);
                got.step(run.tensors(m, run.grads.get(s)));
                want.step(run.tensors(m, run.grads.get(s)));
                compare(got, want, ps, refs, Msg.of(" after step %s (%s)", (s + 1), run.what()));
            }
        }
    }

    /**
     * The part on parameters that require gradients against the part itself on plain ones: this
     * check is about NoGrad only, so a mistake in the update (eps inside the square root) fails
     * the checks of that update, not this one.
     */
    static void againstItself(Api a, Run run) {
        try (NDManager m = manager()) {
            Map<String, NDArray> ps = run.tensors(m, run.p0);
            Map<String, NDArray> plain = run.tensors(m, run.p0);
            ps.values().forEach(p -> p.setRequiresGradient(true));
            Optimizer got = a.create(run.groups(ps), run.lrs[0], run.beta1, run.beta2, run.eps);
            Optimizer same = a.create(run.groups(plain), run.lrs[0], run.beta1, run.beta2, run.eps);
            for (int s = 0; s < run.lrs.length; s++) {
                got.setLearningRate(run.lrs[s]);
                same.setLearningRate(run.lrs[s]);
                // recording, as torch's grad mode is by default: a grading thread's own mode is off (Engines)
                try (Autograd rec = Autograd.record()) {
                    got.step(run.tensors(m, run.grads.get(s)));
                    same.step(run.tensors(m, run.grads.get(s)));
                }
                for (String n : ps.keySet()) {
                    near(Msg.of("p '%s' after step %s, parameters requiring gradients, against your own update of "
                            + "plain ones (%s)", n, (s + 1), run.what()), plain.get(n).toFloatArray(),
                            ps.get(n).toFloatArray(), 0, 0);
                }
            }
        }
    }

    static void compare(Optimizer got, AdamW want, Map<String, NDArray> ps, Map<String, NDArray> refs, String at) {
        for (String n : ps.keySet()) {
            near(Msg.of("p '%s'%s", n, at), refs.get(n).toFloatArray(), ps.get(n).toFloatArray(), RTOL, ATOL);
            near(Msg.of("exp_avg.%s%s", n, at), want.expAvg().get(n).toFloatArray(), state(got, "exp_avg." + n).toFloatArray(),
                    RTOL, ATOL);
            near(Msg.of("exp_avg_sq.%s%s", n, at), want.expAvgSq().get(n).toFloatArray(),
                    state(got, "exp_avg_sq." + n).toFloatArray(), RTOL, ATOL_SQ);
        }
    }

    /** With no decay and every gradient away from 0, the first step is lr * g / (|g| + eps): lr against g's sign. */
    static void firstStep(Api a, float[] p0, float[] g, long[] shape, double lr, double beta1, double beta2) {
        try (NDManager m = manager()) {
            NDArray p = m.create(p0, new Shape(shape));
            Optimizer o = a.create(List.of(new AdamW.ParamGroup(Map.of("w", p), 0.0)), lr, beta1, beta2, 1e-8);
            o.step(Map.of("w", m.create(g, new Shape(shape))));
            float[] want = new float[p0.length];
            for (int i = 0; i < want.length; i++) {
                want[i] = (float) (p0[i] - lr * Math.signum(g[i]));
            }
            near(Msg.of("p after the first step (lr %.3g, betas (%.4g, %.4g))", lr, beta1, beta2), want,
                    p.toFloatArray(), 1e-5, 1e-6);
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.ADAMW, cls -> {
        Bind.Ctor<Optimizer> ctor = Bind.part(cls, Optimizer.class, List.class, double.class, double.class,
                double.class, double.class);
        return (groups, lr, b1, b2, eps) -> ctor.make(groups, lr, b1, b2, eps);
    }, List.of(
            Check.of("the first step moves each weight by lr against its gradient's sign", 2,
                    "bias correction: divide m by (1 - beta1^t) and v by (1 - beta2^t), t = 1 on the first step. "
                            + "Without it m is (1 - beta1) g and sqrt(v) sqrt(1 - beta2) |g|: the first steps are "
                            + "far too small.",
                    a -> {
                        firstStep(a, new float[] {0.5f, 0.5f, 0.5f, 0.5f}, new float[] {0.3f, -2f, 0.7f, -0.1f},
                                new long[] {4}, 0.01, 0.9, 0.95);
                        Random r = Grader.random();
                        long[] shape = {1 + r.nextInt(6), 1 + r.nextInt(6)};
                        int n = (int) (shape[0] * shape[1]);
                        float[] g = new float[n];
                        for (int i = 0; i < n; i++) {
                            g[i] = (float) ((r.nextBoolean() ? 1 : -1) * logUniform(r, 1e-2, 3.0));
                        }
                        firstStep(a, normal(r, n, 1.0), g, shape, logUniform(r, 1e-4, 1e-1),
                                0.8 + 0.15 * r.nextDouble(), 0.9 + 0.099 * r.nextDouble());
                    }),
            Check.of("30 steps match torch.optim.AdamW: p, exp_avg and exp_avg_sq", 3,
                    "torch's order: p *= 1 - lr * weight_decay; m += (1 - beta1) (g - m); "
                            + "v = beta2 v + (1 - beta2) g^2; p -= lr / (1 - beta1^t) * m / (sqrt(v) / "
                            + "sqrt(1 - beta2^t) + eps). Update m and v in place, in the tensors state() gives, "
                            + "and use the rate of the latest setLearningRate.",
                    a -> {
                        replay(a, "trajectory", true);
                        againstLibrary(a, drawn(30, false, 0.5));
                    }),
            Check.of("zero gradients: only the decoupled weight decay moves p", 2,
                    "with g = 0, m and v stay 0 and the update is 0 / (0 + eps) = 0: p *= 1 - lr * weight_decay and "
                            + "nothing else. Adding weight_decay * p to the gradient is L2 (Adam), not AdamW; "
                            + "a NaN means eps is missing.",
                    a -> {
                        replay(a, "zero", true);
                        Run run = drawn(3, false, 0.0);
                        againstLibrary(a, run);
                    }),
            Check.of("each group's own weight decay: the no-decay group is not decayed", 2,
                    "decay each parameter with the weightDecay of its ParamGroup: nanoGPT's second group (biases, "
                            + "LayerNorm gains) has 0.0 and must not shrink.",
                    a -> {
                        Run still = drawn(2, true, 0.0);
                        try (NDManager m = manager()) {
                            Map<String, NDArray> ps = still.tensors(m, still.p0);
                            Optimizer o = a.create(still.groups(ps), still.lrs[0], still.beta1, still.beta2,
                                    still.eps);
                            for (Map<String, float[]> g : still.grads) {
                                o.step(still.tensors(m, g));
                            }
                            for (String n : still.noDecay) {
                                near(Msg.of("p '%s' of the no-decay group after zero gradients (%s)", n, still.what()),
                                        still.p0.get(n), ps.get(n).toFloatArray(), 0, 0);
                            }
                        }
                        againstLibrary(a, drawn(5, true, 1.0));
                    }),
            Check.of("tiny gradients (1e-5): eps is added after the square root", 2,
                    "denom = sqrt(v_hat) + eps, not sqrt(v_hat + eps): with gradients near 1e-5, "
                            + "sqrt(v + 1e-8) is 10 times sqrt(v) and the steps shrink 10 times.",
                    a -> {
                        replay(a, "tiny", false);
                        Run run = drawn(5, true, 1e-5);
                        run.eps = 1e-8;
                        againstLibrary(a, run);
                    }),
            Check.of("bias correction after a resume: setStepCount(999), then the step is t = 1000", 2,
                    "keep one step counter: step() adds 1 to it and uses it for 1 - beta^t, stepCount() returns it, "
                            + "setStepCount sets it. After a resume the next step is t = 1000, not 1.",
                    a -> {
                        try (NDManager m = manager()) {
                            NDArray p = m.create(new float[] {1f});
                            Optimizer o = a.create(List.of(new AdamW.ParamGroup(Map.of("w", p), 0.0)), 0.01, 0.9,
                                    0.999, 1e-8);
                            that(o.stepCount() == 0, Msg.of("stepCount() of a new optimizer is %s, not 0",
                                    o.stepCount()));
                            Tensors.copyInto(state(o, "exp_avg.w"), new float[] {0.02f});
                            Tensors.copyInto(state(o, "exp_avg_sq.w"), new float[] {0.0004f});
                            o.setStepCount(999);
                            o.step(Map.of("w", m.create(new float[] {0.1f})));
                            double mm = 0.9 * 0.02 + 0.1 * 0.1;
                            double vv = 0.999 * 0.0004 + 0.001 * 0.01;
                            double want = 1 - 0.01 * (mm / (1 - Math.pow(0.9, 1000)))
                                    / (Math.sqrt(vv / (1 - Math.pow(0.999, 1000))) + 1e-8);
                            near(Msg.of("p after setStepCount(999) and one step"), want, p.getFloat(), 1e-6, 0);
                            that(o.stepCount() == 1000, Msg.of("stepCount() after setStepCount(999) and one step "
                                    + "is %s, not 1000", o.stepCount()));
                        }
                        Random r = Grader.random();
                        Run run = drawn(3, true, 0.5);
                        drawState(run, r);
                        run.start = 1 + r.nextInt(5000);
                        againstLibrary(a, run);
                    }),
            Check.of("state(): exp_avg.NAME and exp_avg_sq.NAME, live tensors a checkpoint loads into", 2,
                    "make one zero tensor of the parameter's shape for m and one for v, per parameter, in the "
                            + "constructor; state() returns those very tensors (not copies) under \"exp_avg.\" + name "
                            + "and \"exp_avg_sq.\" + name, so values loaded into them in place are the next step's.",
                    a -> {
                        Random r = Grader.random();
                        Run run = drawn(2, true, 1.0);
                        try (NDManager m = manager()) {
                            Map<String, NDArray> ps = run.tensors(m, run.p0);
                            Map<String, NDArray> refs = run.tensors(m, run.p0);
                            Optimizer got = a.create(run.groups(ps), run.lrs[0], run.beta1, run.beta2, run.eps);
                            AdamW want = new AdamW(run.groups(refs), run.lrs[0], run.beta1, run.beta2, run.eps);
                            Map<String, NDArray> st = got.state();
                            that(st != null, Msg.of("state() returned null"));
                            Set<String> keys = new LinkedHashSet<>(want.state().keySet());
                            that(st.keySet().equals(keys), Msg.of("state() holds %s, expected %s (%s)", st.keySet(),
                                    keys, run.what()));
                            for (String n : run.shapes.keySet()) {
                                for (String k : List.of("exp_avg." + n, "exp_avg_sq." + n)) {
                                    that(st.get(k).getShape().equals(ps.get(n).getShape()), Msg.of("state() tensor "
                                            + "'%s' has shape %s, the parameter %s", k, st.get(k).getShape(),
                                            ps.get(n).getShape()));
                                    near(Msg.of("%s before the first step", k), new float[(int) ps.get(n).size()],
                                            st.get(k).toFloatArray(), 0, 0);
                                }
                            }
                            got.step(run.tensors(m, run.grads.get(0)));
                            want.step(run.tensors(m, run.grads.get(0)));
                            for (String k : keys) {
                                near(Msg.of("%s of a state() map taken before the step, after it: state() must "
                                        + "give the optimizer's own tensors, not copies", k), want.state().get(k).toFloatArray(),
                                        st.get(k).toFloatArray(), RTOL, k.startsWith("exp_avg_sq") ? ATOL_SQ : ATOL);
                            }
                            drawState(run, r); // a checkpoint's values, loaded in place as Checkpoint.copyInto does
                            for (String n : run.shapes.keySet()) {
                                Tensors.copyInto(state(got, "exp_avg." + n), run.m0.get(n));
                                Tensors.copyInto(state(got, "exp_avg_sq." + n), run.v0.get(n));
                                Tensors.copyInto(want.expAvg().get(n), run.m0.get(n));
                                Tensors.copyInto(want.expAvgSq().get(n), run.v0.get(n));
                            }
                            got.step(run.tensors(m, run.grads.get(1)));
                            want.step(run.tensors(m, run.grads.get(1)));
                            compare(got, want, ps, refs, Msg.of(" after state loaded in place and one more step "
                                    + "(%s)", run.what()));
                        }
                    }),
            Check.of("two groups of drawn shapes and settings match the library's AdamW step by step", 3,
                    "every parameter of every group, each with its group's weight decay, the rate of the latest "
                            + "setLearningRate, and one step counter for all; m and v per parameter.",
                    a -> againstLibrary(a, drawn(8, true, 1.0))),
            Check.of("parameters that require gradients (as the model's do): the update runs under NoGrad", 1,
                    "torch refuses in-place updates of a tensor that requires gradients while autograd records: "
                            + "wrap step's work in try (NoGrad ng = NoGrad.open()) { ... }, as torch.optim steps "
                            + "under torch.no_grad().",
                    a -> againstItself(a, drawn(3, true, 1.0)))),
            new Exercise.Mistake("AdamWNoBiasCorrection", "the first step",
                    "no bias correction: m and v used without dividing by 1 - beta^t"),
            new Exercise.Mistake("AdamWEpsInsideSqrt", "tiny gradients", "eps inside the square root: sqrt(v_hat + eps)"),
            new Exercise.Mistake("AdamWL2", "zero gradients",
                    "L2 instead of decoupled decay: weight_decay * p added to the gradient"),
            new Exercise.Mistake("AdamWDecaysEveryGroup", "each group's own weight decay",
                    "one weight decay for every group: the biases and LayerNorm gains shrink too"),
            new Exercise.Mistake("AdamWOwnStepCounter", "bias correction after a resume",
                    "a step counter of its own for bias correction, which setStepCount does not set"),
            new Exercise.Mistake("AdamWStateCopies", "state()",
                    "state() returns copies: a checkpoint loads into tensors the optimizer never reads"),
            new Exercise.Mistake("AdamWWithoutNoGrad", "parameters that require gradients",
                    "the in-place updates run while autograd records: torch refuses them on parameters"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

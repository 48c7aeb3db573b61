package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.Fixtures;
import gptkit.autograd.Autograd;
import gptkit.train.Part;
import gptkit.train.GradClipper;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/ClipGradNorm.java (clip_grad_norm, notebook 07): the GradClipper part, on
 * NDArrays. Fixed cases are torch.nn.utils.clip_grad_norm_ on three tensors (fixtures/clip.json,
 * max_norm 1, 100 and 0.5); drawn cases (tensor count, shapes, scales, max_norm) are compared with
 * the library's gptkit.train.ClipGradNorm on identical copies. Tolerance 1e-5 relative (torch and
 * the library work in float32; an answer in double differs by about 1e-7).
 */
@ExtendWith(ReportCard.class)
public class ClipGradNormExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        GradClipper create();
    }

    static final double R = 1e-5;

    /**
     * Gradients and a max_norm; total and clipped are torch's answer when known (fixtures), else
     * null: the library computes them on copies.
     */
    record Case(String what, double maxNorm, long[][] shapes, float[][] grads, Float total, float[][] clipped) {
        Case withMaxNorm(String what, double m) {
            return new Case(what, m, shapes, grads, total, null);
        }

        /** The gradients' 2-norm over all tensors, in double (to place max_norm, not to grade). */
        double norm() {
            double sq = 0;
            for (float[] g : grads) {
                for (float v : g) {
                    sq += (double) v * v;
                }
            }
            return Math.sqrt(sq);
        }
    }

    static Case fixture(int i) {
        JsonObject c = Fixtures.load("clip.json").getAsJsonArray("cases").get(i).getAsJsonObject();
        JsonArray shapes = c.getAsJsonArray("shapes");
        long[][] s = new long[shapes.size()][];
        for (int t = 0; t < s.length; t++) {
            s[t] = Fixtures.longs(shapes.get(t).getAsJsonArray());
        }
        double maxNorm = c.get("max_norm").getAsDouble();
        return new Case(Msg.of("torch's case with max_norm %s", maxNorm), maxNorm, s, tensors(c.getAsJsonArray("grads")),
                c.get("total_norm").getAsFloat(), tensors(c.getAsJsonArray("clipped")));
    }

    static float[][] tensors(JsonArray a) {
        float[][] t = new float[a.size()][];
        for (int i = 0; i < t.length; i++) {
            t[i] = Fixtures.floats(a.get(i).getAsJsonArray());
        }
        return t;
    }

    static final int CLIP_1 = 0;
    static final int NO_CLIP_100 = 1;
    static final int CLIP_HALF = 2;

    /**
     * 1 to 6 tensors of rank 1 to 3, values of a scale drawn from 1e-2 to 10 (scale = 0: zeros), and
     * max_norm = ratio * their norm with ratio drawn from [lo, hi).
     */
    static Case drawn(String kind, double scale, double lo, double hi) {
        Random r = Grader.random();
        int n = 1 + r.nextInt(6);
        long[][] shapes = new long[n][];
        float[][] grads = new float[n][];
        for (int t = 0; t < n; t++) {
            shapes[t] = new long[1 + r.nextInt(3)];
            int size = 1;
            for (int d = 0; d < shapes[t].length; d++) {
                shapes[t][d] = 1 + r.nextInt(7);
                size *= (int) shapes[t][d];
            }
            grads[t] = new float[size];
            for (int i = 0; i < size; i++) {
                grads[t][i] = (float) (scale * r.nextGaussian());
            }
        }
        Case c = new Case("", 0, shapes, grads, null, null);
        double maxNorm = c.norm() * (lo + (hi - lo) * r.nextDouble());
        return c.withMaxNorm(Msg.of("drawn %s: %d tensors %s, max_norm %.4g, norm %.4g", kind, n,
                Arrays.deepToString(shapes), maxNorm, c.norm()), maxNorm);
    }

    /** A scale for drawn gradients: 1e-2 to 10. */
    static double scale() {
        return Math.pow(10, -2 + 3 * Grader.random().nextDouble());
    }

    /** Fresh NDArrays holding the case's gradients. */
    static List<NDArray> arrays(NDManager m, Case c) {
        List<NDArray> out = new ArrayList<>();
        for (int t = 0; t < c.grads().length; t++) {
            out.add(m.create(c.grads()[t].clone(), new Shape(c.shapes()[t])));
        }
        return out;
    }

    /** What the part did with one case. */
    record Result(float total, float[][] after, float expectedTotal, float[][] expected) {}

    /**
     * Runs the student's part on the case's gradients and the library on identical copies; the
     * values after are read from the very NDArrays the part was given (the trainer holds those).
     */
    static Result clip(Api a, Case c) {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            List<NDArray> given = arrays(m, c);
            List<NDArray> same = List.copyOf(given);
            float total = a.create().clipGradNorm(new ArrayList<>(given), c.maxNorm());
            List<NDArray> copies = arrays(m, c);
            float libTotal = gptkit.train.ClipGradNorm.clipGradNorm(copies, c.maxNorm());
            return new Result(total, values(same), c.total() != null ? c.total() : libTotal,
                    c.clipped() != null ? c.clipped() : values(copies));
        }
    }

    static float[][] values(List<NDArray> arrays) {
        float[][] v = new float[arrays.size()][];
        for (int t = 0; t < v.length; t++) {
            v[t] = arrays.get(t).toFloatArray();
        }
        return v;
    }

    static float[][] original(Case c) {
        return c.grads();
    }

    static void expectTotal(Case c, Result r) {
        near(Msg.of("the returned norm (%s)", c.what()), r.expectedTotal(), r.total(), R, 0);
    }

    /** Each tensor near the expected one; the absolute slack is relative to the largest value. */
    static void expectGrads(String what, Case c, float[][] expected, float[][] got, double rtol) {
        double big = 0;
        for (float[] t : expected) {
            for (float v : t) {
                big = Math.max(big, Math.abs(v));
            }
        }
        for (int t = 0; t < expected.length; t++) {
            near(Msg.of("%s, tensor %s (%s)", what, t, c.what()), expected[t], got[t], rtol, rtol * big * 1e-2);
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.CLIP_GRAD_NORM, cls -> {
        Bind.Ctor<GradClipper> ctor = Bind.part(cls, GradClipper.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("returns the total norm before clipping, over all tensors together", 3,
                    "the square root of the sum of every squared element of every tensor (the 2-norm of the "
                            + "tensors' norms), taken before any scaling and returned: train.py logs it. Not the norm "
                            + "after clipping, not one norm per tensor, not the sum of the norms.",
                    a -> {
                        for (int i : new int[] {CLIP_1, NO_CLIP_100, CLIP_HALF}) {
                            Case c = fixture(i);
                            expectTotal(c, clip(a, c));
                        }
                        for (Case c : List.of(drawn(Msg.of("to clip"), scale(), 0.05, 0.9), drawn(Msg.of("not to clip"), scale(), 1.2, 10))) {
                            expectTotal(c, clip(a, c));
                        }
                    }),
            Check.of("over max_norm: every gradient scaled by max_norm / (total_norm + 1e-6)", 3,
                    "one factor for all tensors, from the norm of all of them together, applied in place to every "
                            + "element: the direction of the whole gradient is kept.",
                    a -> {
                        for (Case c : List.of(fixture(CLIP_1), fixture(CLIP_HALF), drawn(Msg.of("to clip"), scale(), 0.05, 0.9))) {
                            Result r = clip(a, c);
                            expectGrads(Msg.of("the clipped gradient"), c, r.expected(), r.after(), R);
                        }
                    }),
            Check.of("under max_norm: the gradients are left as they are", 2,
                    "clip only when max_norm / (total_norm + 1e-6) < 1 (torch clamps the factor to 1): a short "
                            + "gradient is never lengthened.",
                    a -> {
                        for (Case c : List.of(fixture(NO_CLIP_100), drawn(Msg.of("not to clip"), scale(), 1.2, 10))) {
                            expectGrads(Msg.of("the gradient"), c, original(c), clip(a, c).after(), 0);
                        }
                    }),
            Check.of("in place: the model's own gradients are scaled, the list's NDArrays themselves", 2,
                    "scale each NDArray of the list in place (muli): the trainer's optimizer reads those very "
                            + "arrays, the parameters' .grad. g.mul(...) makes a new array the trainer never sees.",
                    a -> {
                        Case c = drawn(Msg.of("to clip"), scale(), 0.05, 0.9);
                        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
                            List<NDArray> params = withGradients(m, c);
                            List<NDArray> grads = new ArrayList<>();
                            for (NDArray p : params) {
                                grads.add(p.getGradient());
                            }
                            List<NDArray> same = List.copyOf(grads);
                            a.create().clipGradNorm(grads, c.maxNorm());
                            List<NDArray> copies = arrays(m, c);
                            gptkit.train.ClipGradNorm.clipGradNorm(copies, c.maxNorm());
                            List<NDArray> after = new ArrayList<>();
                            for (NDArray p : params) {
                                after.add(p.getGradient());
                            }
                            expectGrads(Msg.of("the parameter's .grad after clipping"), c, values(copies), values(after), R);
                            that(grads.size() == same.size(), Msg.of("the list of gradients changed size"));
                            for (int t = 0; t < same.size(); t++) {
                                that(grads.get(t) == same.get(t), Msg.of("gradient %s in the list was replaced by "
                                        + "another NDArray: scale the one given, in place", t));
                            }
                        }
                    }),
            Check.of("tiny gradients: the 1e-6 in max_norm / (total_norm + 1e-6) counts", 2,
                    "torch adds 1e-6 to the norm before dividing (it keeps a zero norm from dividing by 0); with "
                            + "norms near 1e-6 it changes the factor a lot: clip_coef = max_norm / (total_norm + 1e-6).",
                    a -> {
                        Case fixed = new Case(Msg.of("one tensor [3e-6, 4e-6], max_norm 1e-6"), 1e-6, new long[][] {{2}},
                                new float[][] {{3e-6f, 4e-6f}}, 5e-6f, new float[][] {{3e-6f / 6, 4e-6f / 6}});
                        for (Case c : List.of(fixed, drawn(Msg.of("tiny, to clip"), 1e-7 + 1e-6 * Grader.random().nextDouble(),
                                0.1, 0.9))) {
                            Result r = clip(a, c);
                            expectGrads(Msg.of("the clipped gradient"), c, r.expected(), r.after(), R);
                        }
                    }),
            Check.of("max_norm infinite: only measures, the gradients untouched", 1,
                    "with max_norm = +infinity the factor is infinite, never below 1: return the norm and scale "
                            + "nothing (the trainer measures this way when grad_clip is 0).",
                    a -> {
                        for (Case c : List.of(fixture(CLIP_1), drawn(Msg.of("to measure"), scale(), 1, 1))) {
                            Case inf = c.withMaxNorm(Msg.edit(c.what(), "max_norm [^,)]*", "max_norm infinity"),
                                    Double.POSITIVE_INFINITY);
                            Result r = clip(a, inf);
                            expectTotal(inf, r);
                            expectGrads(Msg.of("the gradient"), inf, original(inf), r.after(), 0);
                        }
                    }),
            Check.of("zero gradients: the norm is 0 and they stay 0 (no NaN)", 1,
                    "with a zero norm, max_norm / total_norm divides by 0: add the 1e-6, or clip only when the "
                            + "factor is below 1.",
                    a -> {
                        Case fixed = new Case(Msg.of("two zero tensors of 5, max_norm 1"), 1.0, new long[][] {{5}, {5}},
                                new float[2][5], 0f, new float[2][5]);
                        Case d = drawn("zeros", 0, 1, 1);
                        for (Case c : List.of(fixed, d.withMaxNorm(Msg.of("%s, max_norm 1", d.what()), 1.0))) {
                            Result r = clip(a, c);
                            near(Msg.of("the returned norm (%s)", c.what()), 0, r.total(), 0, 0);
                            expectGrads(Msg.of("the gradient"), c, original(c), r.after(), 0);
                        }
                    }),
            Check.of("max_norm 0: every gradient becomes 0, the norm before is returned", 1,
                    "max_norm 0 is a real bound, not \"no clipping\" (that is the trainer's grad_clip 0, which never "
                            + "calls the part): the factor 0 / (total_norm + 1e-6) is 0, below 1, so every gradient "
                            + "is scaled to 0, as torch's clip_grad_norm_ does.",
                    a -> {
                        for (Case c : List.of(fixture(CLIP_1), drawn(Msg.of("to clip"), scale(), 1, 1))) {
                            Case zero = c.withMaxNorm(Msg.edit(c.what(), "max_norm [^,)]*", "max_norm 0"), 0.0);
                            Result r = clip(a, zero);
                            expectTotal(zero, r);
                            expectGrads(Msg.of("the gradient"), zero, r.expected(), r.after(), 0);
                        }
                    })),
            new Exercise.Mistake("ClipGradNormZeroMeansOff", "max_norm 0",
                    "max_norm 0 taken as \"no clipping\": the gradients are left as they are"),
            new Exercise.Mistake("ClipGradNormReturnsClippedNorm", "returns the total norm",
                    "returns the norm after clipping instead of the one before"),
            new Exercise.Mistake("ClipGradNormSumOfNorms", "returns the total norm",
                    "the total norm as the sum of the tensors' norms, not the 2-norm of them"),
            new Exercise.Mistake("ClipGradNormPerTensor", "over max_norm",
                    "each tensor clipped by its own norm: the whole gradient changes direction"),
            new Exercise.Mistake("ClipGradNormNoClamp", "under max_norm",
                    "always multiplies by max_norm / (total_norm + 1e-6): short gradients are lengthened"),
            new Exercise.Mistake("ClipGradNormOnCopies", "in place",
                    "scaled copies put into the list (g.mul) instead of scaling the given arrays"),
            new Exercise.Mistake("ClipGradNormNoEps", "tiny gradients",
                    "max_norm / total_norm without the 1e-6"));

    /** Parameters whose .grad is exactly the case's gradients (the gradient of sum(p * g)). */
    static List<NDArray> withGradients(NDManager m, Case c) {
        List<NDArray> ps = new ArrayList<>();
        List<NDArray> gs = arrays(m, c);
        for (NDArray g : gs) {
            NDArray p = m.zeros(g.getShape());
            p.setRequiresGradient(true);
            ps.add(p);
        }
        try (Autograd rec = Autograd.record()) {
            NDArray sum = null;
            for (int i = 0; i < ps.size(); i++) {
                NDArray term = ps.get(i).mul(gs.get(i)).sum();
                sum = sum == null ? term : sum.add(term);
            }
            Autograd.backward(sum);
        }
        return ps;
    }

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

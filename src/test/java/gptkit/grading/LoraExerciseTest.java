package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.Fixtures;
import gptkit.autograd.Autograd;
import gptkit.train.Part;
import gptkit.model.Lora;
import gptkit.model.LoraLinear;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/Lora.java (lora, notebook 10): the LoRA part. Output and the gradients of A
 * and B against torch (fixtures/ex_lora.json: a LoRA linear with W and b frozen, loss sum(y * g)),
 * and against the library's gptkit.model.Lora on inputs drawn at grading time; W must record no
 * gradient; init gives A normal(0, 0.02) and B zeros, so the first forward is the base's.
 * Tolerance 1e-5 relative (float32).
 */
@ExtendWith(ReportCard.class)
public class LoraExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        LoraLinear create();
    }

    /** One LoRA linear's inputs: x (batch..., in), W (out, in), b or null, A (r, in), B (out, r), g like y. */
    record Case(String name, float[] x, long[] xShape, float[] w, int out, int in, float[] b, float[] a, float[] bb,
                int r, float alpha, float[] upstream) {}

    /** What a part gave: y, the gradients of A and B, and whether W (or b) recorded a gradient. */
    record Result(float[] y, float[] gradA, float[] gradB, boolean baseHasGrad) {}

    static JsonObject fixtureCase(String name) {
        return Fixtures.load("ex_lora.json").getAsJsonObject(name);
    }

    static float[] f(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : Fixtures.floats(e.getAsJsonArray());
    }

    static Case fixture(String name) {
        JsonObject o = fixtureCase(name);
        long[] xs = Fixtures.longs(o.getAsJsonArray("x_shape"));
        long[] ws = Fixtures.longs(o.getAsJsonArray("W_shape"));
        return new Case(Msg.of("the fixture's '%s' case", name), f(o, "x"), xs, f(o, "W"), (int) ws[0], (int) ws[1],
                f(o, "b"), f(o, "A"), f(o, "B"), o.get("r").getAsInt(), o.get("alpha").getAsFloat(), f(o, "upstream"));
    }

    static float[] gauss(Random r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    /** A case drawn for this run: batch shape, in, out, r, alpha drawn too; B zeros when zeroB. */
    static Case drawn(boolean bias, boolean zeroB) {
        Random r = Grader.random();
        int batch = 1 + r.nextInt(3), t = 1 + r.nextInt(6), in = 2 + r.nextInt(20), out = 2 + r.nextInt(20);
        int rank = 2 + r.nextInt(7);
        float alpha = (float) (0.5 + r.nextInt(32));
        int n = batch * t;
        return new Case(Msg.of("drawn inputs (x %dx%dx%d, W %dx%d, r=%d, alpha=%s%s%s)", batch, t, in, out, in, rank,
                alpha, bias ? "" : Msg.of(", no bias"), zeroB ? ", B = 0" : ""), gauss(r, n * in, 1),
                new long[] {batch, t, in}, gauss(r, out * in, 0.5), out, in, bias ? gauss(r, out, 0.5) : null,
                gauss(r, rank * in, 0.5), zeroB ? new float[out * rank] : gauss(r, out * rank, 0.5), rank, alpha,
                gauss(r, n * out, 1));
    }

    static NDManager manager() {
        return NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch");
    }

    /** forward, then backward of sum(y * g): W and b as a frozen base gives them, A and B trainable. */
    static Result run(LoraLinear part, Case c) throws InterruptedException {
        return run(part, c, false);
    }

    /** The same, with a garbage collection between forward and backward when gc. */
    static Result run(LoraLinear part, Case c, boolean gc) throws InterruptedException {
        try (NDManager m = manager(); Autograd rec = Autograd.record()) {
            NDArray x = m.create(c.x(), new Shape(c.xShape()));
            NDArray w = m.create(c.w(), new Shape(c.out(), c.in()));
            NDArray b = c.b() == null ? null : m.create(c.b(), new Shape(c.out()));
            NDArray a = m.create(c.a(), new Shape(c.r(), c.in()));
            NDArray bb = m.create(c.bb(), new Shape(c.out(), c.r()));
            a.setRequiresGradient(true);
            bb.setRequiresGradient(true);
            NDArray alpha = m.create(c.alpha());
            NDArray y = part.forward(x, w, b, a, bb, alpha);
            that(y != null, Msg.of("forward returned null"));
            long[] want = c.xShape().clone();
            want[want.length - 1] = c.out();
            that(y.getShape().equals(new Shape(want)), Msg.of("y has shape %s, expected %s (x's batch dimensions, "
                    + "then out)", y.getShape(), new Shape(want)));
            float[] yv = y.toType(DataType.FLOAT32, false).toFloatArray();
            NDArray up = m.create(c.upstream(), y.getShape());
            if (gc) {
                CrossEntropyExerciseTest.collectGarbage();
            }
            Autograd.backward(y.mul(up).sum());
            boolean baseGrad = w.hasGradient() || (b != null && b.hasGradient());
            return new Result(yv, a.getGradient().toFloatArray(), bb.getGradient().toFloatArray(), baseGrad);
        }
    }

    static Result library(Case c) throws InterruptedException {
        return run(new Lora(), c);
    }

    static void expectY(String what, float[] want, Result got) {
        near(Msg.of("y on %s", what), want, got.y(), 1e-5, 1e-6);
    }

    static void expectGrads(String what, float[] wantA, float[] wantB, Result got) {
        near(Msg.of("d loss / d A on %s", what), wantA, got.gradA(), 1e-5, 1e-6);
        near(Msg.of("d loss / d B on %s", what), wantB, got.gradB(), 1e-5, 1e-6);
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.LORA, cls -> {
        Bind.Ctor<LoraLinear> ctor = Bind.part(cls, LoraLinear.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("the output equals torch's x W^T + b + (alpha/r) (x A^T) B^T", 3,
                    "y = x W^T + b, plus the update (x A^T) B^T times alpha / r, with A (r, in) and B (out, r): "
                            + "x.matMul(A.transpose()).matMul(B.transpose()). The bias is added once, to the base part.",
                    a -> {
                        for (String name : new String[] {"adapted", "nobias"}) {
                            Case c = fixture(name);
                            expectY(c.name(), f(fixtureCase(name), "y"), run(a.create(), c));
                        }
                        Case c = drawn(true, false);
                        expectY(c.name(), library(c).y(), run(a.create(), c));
                    }),
            Check.of("the update is scaled by alpha / r, not by alpha", 1,
                    "the scale is alpha divided by the rank r (A's first dimension): alpha.div(r). With alpha alone "
                            + "the update grows with r.",
                    a -> {
                        for (int k = 0; k < 2; k++) {
                            Case c = drawn(k == 0, false);
                            expectY(c.name(), library(c).y(), run(a.create(), c));
                        }
                    }),
            Check.of("the gradients of A and B are torch's", 2,
                    "backward must reach A and B through your NDArray operations: dL/dB = (alpha/r) g^T (x A^T), "
                            + "dL/dA = (alpha/r) (g B)^T x. None at all means a detached or rebuilt tensor.",
                    a -> {
                        for (String name : new String[] {"adapted", "nobias", "zero_start"}) {
                            JsonObject o = fixtureCase(name);
                            expectGrads(fixture(name).name(), f(o, "grad_A"), f(o, "grad_B"), run(a.create(), fixture(name)));
                        }
                        Case c = drawn(true, false);
                        Result want = library(c);
                        expectGrads(c.name(), want.gradA(), want.gradB(), run(a.create(), c));
                    }),
            Check.of("the gradients survive a garbage collection between forward and backward (the DJL trap)", 1,
                    "low.mul(2.0f) or low.mul(alpha.getFloat() / r) wraps a Java number in a buffer DJL frees right "
                            + "after the op; backward needs that factor for the gradient of A and B and reads freed "
                            + "memory. Scale by a tensor: alpha.div(r) is one libtorch owns.",
                    a -> {
                        for (int k = 0; k < 2; k++) {
                            Case c = drawn(true, false);
                            Result want = library(c);
                            expectGrads(c.name(), want.gradA(), want.gradB(), run(a.create(), c, true));
                        }
                    }),
            Check.of("W and b record no gradient: the base stays frozen", 1,
                    "the base model's weights are frozen: never call setRequiresGradient on weight or bias. Only A "
                            + "and B train (that is what makes LoRA cheap: no gradient and no AdamW state for W).",
                    a -> {
                        for (Case c : new Case[] {fixture("adapted"), drawn(true, false)}) {
                            that(!run(a.create(), c).baseHasGrad(), Msg.of("after backward on %s, W or b requires "
                                    + "a gradient: the base was not left frozen", c.name()));
                        }
                    }),
            Check.of("B = 0 gives the base's output exactly (the zero start)", 1,
                    "with B all zeros the update (x A^T) B^T is zero: y must be x W^T + b, whatever A and alpha are.",
                    a -> {
                        Case c = fixture("zero_start");
                        expectY(c.name(), f(fixtureCase("zero_start"), "base"), run(a.create(), c));
                        Case d = drawn(true, true);
                        expectY(d.name(), library(d).y(), run(a.create(), d));
                    }),
            Check.of("init: A normal(0, 0.02) of shape (r, in), B zeros of shape (out, r), so the start is the base", 2,
                    "A: rank * in values rng.nextGaussian() * 0.02, shape (rank, in); B: zeros, shape (out, rank). "
                            + "A random B would change the model before any training; a zero A would leave B no "
                            + "gradient.",
                    a -> {
                        Random r = Grader.random();
                        int in = 64 + r.nextInt(64), out = 8 + r.nextInt(40), rank = 8 + r.nextInt(9);
                        try (NDManager m = manager()) {
                            NDList ab = a.create().init(m, in, out, rank, new SplittableRandom(r.nextLong()));
                            that(ab != null && ab.size() == 2, Msg.of("init must return {A, B}, got %s",
                                    (ab == null ? "null" : Msg.of("%d arrays", ab.size()))));
                            NDArray aa = ab.get(0), bb = ab.get(1);
                            that(aa.getShape().equals(new Shape(rank, in)), Msg.of("A has shape %s, expected (%s, "
                                    + "%s) = (rank, in)", aa.getShape(), rank, in));
                            that(bb.getShape().equals(new Shape(out, rank)), Msg.of("B has shape %s, expected (%s, "
                                    + "%s) = (out, rank)", bb.getShape(), out, rank));
                            that(aa.getDataType() == DataType.FLOAT32 && bb.getDataType() == DataType.FLOAT32,
                                    Msg.of("A and B must be float32, got %s and %s", aa.getDataType(),
                                            bb.getDataType()));
                            float[] bv = bb.toFloatArray();
                            for (float v : bv) {
                                that(v == 0f, Msg.of("B holds %s: B must start at zero, or the adapted model is "
                                        + "not the base model before training", v));
                            }
                            float[] av = aa.toFloatArray();
                            double mean = 0, sq = 0;
                            for (float v : av) {
                                mean += v;
                                sq += (double) v * v;
                            }
                            mean /= av.length;
                            double std = Math.sqrt(sq / av.length - mean * mean);
                            // n >= 512 draws: the sample std of normal(0, 0.02) is within 15% (over 5 sigma)
                            near(Msg.of("the standard deviation of A's %s values", av.length), 0.02, std, 0.15, 0);
                            near(Msg.of("the mean of A's values"), 0, mean, 0, 0.02 * 5 / Math.sqrt(av.length));
                        }
                    })),
            new Exercise.Mistake("LoraScaleAlpha", "the update is scaled by alpha / r", "scaled by alpha, not alpha / r"),
            new Exercise.Mistake("LoraNoBias", "the output equals", "the bias forgotten"),
            new Exercise.Mistake("LoraUpdateNotTransposed", "the output equals",
                    "the update as x (B A) without the transpose: wrong values, or a shape error off square layers"),
            new Exercise.Mistake("LoraTrainsBase", "W and b record no gradient",
                    "setRequiresGradient(true) on W: backward records gradients for the frozen base"),
            new Exercise.Mistake("LoraJavaScale", "the gradients survive",
                    "alpha / r as a Java number (mul(float)): freed before backward reads it"),
            new Exercise.Mistake("LoraRandomB", "init", "B drawn random like A: the start is not the base model"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

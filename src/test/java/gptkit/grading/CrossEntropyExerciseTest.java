package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.Fixtures;
import gptkit.autograd.Autograd;
import gptkit.train.Part;
import gptkit.model.Loss;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/CrossEntropy.java (cross_entropy, notebook 02): the Loss part. Values and
 * gradients against torch's F.cross_entropy(..., ignore_index=-1) (fixtures/ex_cross_entropy.json)
 * and against gptkit.model.CrossEntropy on logits and targets drawn at grading time (the library
 * does not take -1 targets: there it is given the kept positions only, which is what ignore_index
 * means). Tolerance 1e-5 relative on the loss (float32), 1e-4 on the gradient.
 */
@ExtendWith(ReportCard.class)
public class CrossEntropyExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        Loss create();
    }

    /** Logits (B, T, V) as floats row after row, and targets (B, T). */
    record Case(String name, float[] logits, Shape shape, long[] targets) {
        long v() {
            return shape.getLastDimension();
        }

        int positions() {
            return targets.length;
        }
    }

    /** What a loss gave: its value, its type, its shape, the gradient w.r.t. the logits. */
    record Result(double loss, DataType type, Shape shape, float[] grad) {}

    static Case fixture(String name) {
        JsonObject c = Fixtures.load("ex_cross_entropy.json").getAsJsonObject(name);
        JsonArray rows = c.getAsJsonArray("logits");
        int v = rows.get(0).getAsJsonArray().size();
        float[] logits = new float[rows.size() * v];
        for (int n = 0; n < rows.size(); n++) {
            System.arraycopy(Fixtures.floats(rows.get(n).getAsJsonArray()), 0, logits, n * v, v);
        }
        // torch's (6, V) rows as a (2, 3, V) batch: the part sees what the model gives
        return new Case(Msg.of("the fixture's '%s' logits", name), logits, new Shape(2, rows.size() / 2, v),
                Fixtures.longs(c.getAsJsonArray("targets")));
    }

    static double fixtureLoss(String name) {
        return Fixtures.load("ex_cross_entropy.json").getAsJsonObject(name).get("loss").getAsDouble();
    }

    static float[] fixtureGrad(String name) {
        JsonArray rows = Fixtures.load("ex_cross_entropy.json").getAsJsonObject(name).getAsJsonArray("grad");
        int v = rows.get(0).getAsJsonArray().size();
        float[] g = new float[rows.size() * v];
        for (int n = 0; n < rows.size(); n++) {
            System.arraycopy(Fixtures.floats(rows.get(n).getAsJsonArray()), 0, g, n * v, v);
        }
        return g;
    }

    /** Logits drawn for this run: B, T, V, scale and offset drawn too; a fraction of targets -1. */
    static Case drawn(double scale, double offset, double ignored) {
        Random r = Grader.random();
        int b = 1 + r.nextInt(4), t = 1 + r.nextInt(12), v = 2 + r.nextInt(90);
        float[] logits = new float[b * t * v];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (offset + scale * r.nextGaussian());
        }
        long[] targets = new long[b * t];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = r.nextDouble() < ignored ? -1 : r.nextInt(v);
        }
        if (ignored > 0) {
            int kept = r.nextInt(targets.length);
            targets[kept] = r.nextInt(v); // at least one position counts
            if (targets.length > 1) { // and at least one other is ignored
                targets[(kept + 1 + r.nextInt(targets.length - 1)) % targets.length] = -1;
            }
        }
        String what = Msg.of("drawn logits (B=%d, T=%d, V=%d, around %.0f, spread %.1f%s)", b, t, v, offset, scale,
                ignored > 0 ? Msg.of(", some targets -1") : "");
        return new Case(what, logits, new Shape(b, t, v), targets);
    }

    static NDManager manager() {
        return NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch");
    }

    /** Garbage collection, its cleaners run: what a long forward pass can bring, every time. */
    static void collectGarbage() {
        gptkit.GarbageCollection.collect();
    }

    /** Forward through loss, optionally a garbage collection, backward. */
    static Result run(Loss loss, Case c, DataType type, boolean gc) throws InterruptedException {
        try (NDManager m = manager(); Autograd rec = Autograd.record()) {
            NDArray logits = m.create(c.logits(), c.shape()).toType(type, false);
            logits.setRequiresGradient(true);
            NDArray targets = m.create(c.targets(), new Shape(c.shape().get(0), c.shape().get(1)));
            NDArray out = loss.loss(logits, targets);
            that(out != null, Msg.of("loss returned null"));
            double value = out.toType(DataType.FLOAT64, false).toDoubleArray()[0];
            Result r0 = new Result(value, out.getDataType(), out.getShape(), null);
            if (gc) {
                collectGarbage();
            }
            that(out.getShape().size() == 1, Msg.of("the loss must be a scalar (one value), its shape is %s",
                    out.getShape()));
            Autograd.backward(out);
            NDArray g = logits.getGradient();
            float[] grad = g == null ? null : g.toType(DataType.FLOAT32, false).toFloatArray();
            return new Result(r0.loss(), r0.type(), r0.shape(), grad);
        }
    }

    /** The library's loss and gradient; an ignored position is left out and its gradient row is 0. */
    static Result library(Case c, DataType type) throws InterruptedException {
        int v = (int) c.v();
        int kept = 0;
        for (long t : c.targets()) {
            kept += t == -1 ? 0 : 1;
        }
        float[] logits = new float[kept * v];
        long[] targets = new long[kept];
        int k = 0;
        for (int n = 0; n < c.positions(); n++) {
            if (c.targets()[n] != -1) {
                System.arraycopy(c.logits(), n * v, logits, k * v, v);
                targets[k++] = c.targets()[n];
            }
        }
        Result r = run(gptkit.model.CrossEntropy::crossEntropy, new Case(c.name(), logits, new Shape(1, kept, v),
                targets), type, false);
        float[] grad = new float[c.logits().length];
        k = 0;
        for (int n = 0; n < c.positions(); n++) {
            if (c.targets()[n] != -1) {
                System.arraycopy(r.grad(), k++ * v, grad, n * v, v);
            }
        }
        return new Result(r.loss(), r.type(), r.shape(), grad);
    }

    static void expectLoss(Api a, Case c, double expected) throws InterruptedException {
        Result got = run(a.create(), c, DataType.FLOAT32, false);
        near(Msg.of("the loss on %s", c.name()), expected, got.loss(), 1e-5, 1e-6);
    }

    static void expectLoss(Api a, Case c) throws InterruptedException {
        expectLoss(a, c, library(c, DataType.FLOAT32).loss());
    }

    static void expectGrad(Case c, float[] expected, Result got) {
        expectGrad(c, expected, got, 1e-4, 1e-6);
    }

    static void expectGrad(Case c, float[] expected, Result got, double rtol, double atol) {
        that(got.grad() != null, Msg.of("the logits got no gradient from backward(loss): build the loss from "
                + "NDArray operations on the logits, not from a Java number"));
        int v = (int) c.v();
        for (int n = 0; n < c.positions(); n++) {
            float[] want = Arrays.copyOfRange(expected, n * v, (n + 1) * v);
            float[] have = Arrays.copyOfRange(got.grad(), n * v, (n + 1) * v);
            near(Msg.of("d loss / d logits at position %s (target %s) of %s", n, c.targets()[n], c.name()), want,
                    have, rtol, atol);
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.CROSS_ENTROPY, cls -> {
        Bind.Ctor<Loss> ctor = Bind.part(cls, Loss.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("a scalar equal to torch's F.cross_entropy on random logits", 3,
                    "per position: log(sum_j exp(logit_j)) - logit_target (natural log, minus sign on the target's "
                            + "log-probability), then the mean over all B * T positions; return a scalar NDArray.",
                    a -> {
                        expectLoss(a, fixture("random"), fixtureLoss("random"));
                        expectLoss(a, drawn(2, 0, 0));
                        expectLoss(a, drawn(0.5, -3, 0));
                    }),
            Check.of("uniform logits give ln(vocab_size), the loss of a model that knows nothing", 1,
                    "all logits equal: every token has probability 1/V, and the loss is -ln(1/V) = ln(V).",
                    a -> {
                        Random r = Grader.random();
                        for (int v : new int[] {65, 2 + r.nextInt(500)}) {
                            float level = (float) (r.nextGaussian() * 5);
                            float[] logits = new float[2 * 3 * v];
                            Arrays.fill(logits, level);
                            long[] targets = {0, v - 1, r.nextInt(v), r.nextInt(v), r.nextInt(v), r.nextInt(v)};
                            expectLoss(a, new Case(Msg.of("logits all %.3f over %d tokens", level, v), logits,
                                    new Shape(2, 3, v), targets), Math.log(v));
                        }
                    }),
            Check.of("huge logits (around 1000) give a finite, correct loss", 2,
                    "exp(1000) overflows to Infinity (float32 overflows past exp(88)): compute log(sum(exp(z))) "
                            + "as m + log(sum(exp(z - m))) with m each row's max, i.e. log_softmax = (z - m) - "
                            + "log(sum(exp(z - m))).",
                    a -> {
                        expectLoss(a, fixture("huge"), fixtureLoss("huge"));
                        expectLoss(a, drawn(300, 1000, 0));
                    }),
            Check.of("the mean over positions, not the sum: B copies of a batch give its loss", 1,
                    "F.cross_entropy's reduction is 'mean': divide the summed losses by the number of positions "
                            + "(or use .mean()), else the loss, and the step size, grow with batch_size * block_size.",
                    a -> {
                        Case one = drawn(2, 0, 0);
                        int copies = 2 + Grader.random().nextInt(4);
                        float[] logits = new float[one.logits().length * copies];
                        long[] targets = new long[one.positions() * copies];
                        for (int k = 0; k < copies; k++) {
                            System.arraycopy(one.logits(), 0, logits, k * one.logits().length, one.logits().length);
                            System.arraycopy(one.targets(), 0, targets, k * one.positions(), one.positions());
                        }
                        double expected = library(one, DataType.FLOAT32).loss();
                        expectLoss(a, new Case(Msg.of("%s copies of %s", copies, one.name()), logits,
                                new Shape(one.shape().get(0) * copies, one.shape().get(1), one.v()), targets), expected);
                    }),
            Check.of("targets of -1 are left out (ignore_index=-1), and the mean is over the rest", 2,
                    "nanoGPT passes ignore_index=-1: a position whose target is -1 adds nothing, and the mean "
                            + "divides by the number of positions kept, not by all. gather cannot take -1: mask those "
                            + "positions (targets.neq(-1)) and read a valid column for them.",
                    a -> {
                        expectLoss(a, fixture("ignore"), fixtureLoss("ignore"));
                        expectLoss(a, drawn(2, 0, 0.3));
                    }),
            Check.of("the gradient w.r.t. the logits is torch's: (softmax - one_hot) / count", 2,
                    "backward must reach the logits through your NDArray operations: d loss / d logit_j = "
                            + "(p_j - [j == target]) / count, rows with target -1 get zeros. A gradient that is off "
                            + "by a factor means a wrong count; none at all, a loss rebuilt from a Java number.",
                    a -> {
                        for (String name : new String[] {"random", "ignore", "huge"}) {
                            Case c = fixture(name);
                            expectGrad(c, fixtureGrad(name), run(a.create(), c, DataType.FLOAT32, false));
                        }
                        Case c = drawn(3, 0, 0.2);
                        expectGrad(c, library(c, DataType.FLOAT32).grad(), run(a.create(), c, DataType.FLOAT32, false));
                    }),
            Check.of("the gradient survives a garbage collection between forward and backward (the DJL trap)", 2,
                    "an NDArray made from Java data (the scalar behind x.mul(number) or x.div(number), an array "
                            + "from manager.create(...) in a manager you close) points at memory the garbage collector "
                            + "frees; autograd kept it for backward, which then reads garbage. Keep every array the "
                            + "loss uses alive until backward: compute constants as NDArrays from the inputs (the "
                            + "count as keep.sum(), .neg() instead of .mul(-1)), never close them yourself.",
                    a -> {
                        for (int k = 0; k < 2; k++) {
                            Case c = drawn(2, 0, k == 0 ? 0 : 0.2);
                            expectGrad(c, library(c, DataType.FLOAT32).grad(), run(a.create(), c, DataType.FLOAT32, true));
                        }
                    }),
            Check.of("float16 logits (mixed precision): a float32 loss whose gradient reaches the logits", 2,
                    "the trainer hands float16 logits in float16 runs; compute in float32 as the library does, but "
                            + "not with toType: DJL's toType cuts the autograd graph (backward then finds nothing "
                            + "to differentiate). Promote instead: logits.add(logits.getManager().zeros(new Shape(1), "
                            + "DataType.FLOAT32)) is float32 and keeps the graph.",
                    a -> {
                        // three draws, around 3: a loss computed in float16 rounds at 1e-3, far outside 1e-5
                        for (int k = 0; k < 3; k++) {
                            Case c = drawn(2, 3, 0);   // every target counts: this check is about float16
                            Result got = run(a.create(), c, DataType.FLOAT16, false);
                            that(got.type() == DataType.FLOAT32, Msg.of("the loss of float16 logits is %s, "
                                    + "expected float32", got.type()));
                            Result want = library(c, DataType.FLOAT16);
                            near(Msg.of("the loss on %s in float16", c.name()), want.loss(), got.loss(), 1e-5, 1e-6);
                            expectGrad(c, want.grad(), got, 1e-2, 1e-5);
                        }
                    })),
            new Exercise.Mistake("CrossEntropyNaive", "huge logits",
                    "softmax without taking out the max: exp(1000) is Infinity"),
            new Exercise.Mistake("CrossEntropySum", "the mean over positions", "the sum of the losses, not their mean"),
            new Exercise.Mistake("CrossEntropyNoIgnore", "targets of -1",
                    "ignore_index not handled: gather reads index -1"),
            new Exercise.Mistake("CrossEntropyMeanOverAll", "targets of -1",
                    "ignored positions masked, but the mean divides by all positions"),
            new Exercise.Mistake("CrossEntropyJavaScalars", "the gradient survives",
                    "the count and the sign as Java numbers (div(count), mul(-1)): freed before backward"),
            new Exercise.Mistake("CrossEntropyInHalf", "float16 logits", "computed in the logits' type: a float16 loss"),
            new Exercise.Mistake("CrossEntropyToType", "float16 logits",
                    "float16 logits made float32 with toType, which cuts the autograd graph: no gradient"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

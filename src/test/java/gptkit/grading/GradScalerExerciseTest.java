package gptkit.grading;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.Fixtures;
import gptkit.amp.LossScaler;
import gptkit.amp.LossScaler.State;
import gptkit.autograd.Autograd;
import gptkit.train.Part;
import gptkit.optim.Optimizer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/GradScaler.java (grad_scaler, notebook 06): the LossScaler part. The fixed
 * inputs are a scripted run of real torch.amp.GradScaler with growth_interval 3 and SGD
 * (fixtures/grad_scaler.json: which steps see inf, -inf or NaN, the unscaled gradients, the
 * weights and the scale after each step); the drawn ones are settings and runs of clean, inf and
 * NaN steps, expected from gptkit.amp.GradScaler driven the same way. Scales are exact (the same
 * double products); gradients within 1e-6 relative, weights (SGD in float32) within 1e-6.
 */
@ExtendWith(ReportCard.class)
public class GradScalerExerciseTest {
    /** The student's part, through its two constructors. */
    public interface Api {
        LossScaler create(double initScale, double growthFactor, double backoffFactor, int growthInterval);

        LossScaler createDefault();
    }

    /** An optimizer that only records: how often it stepped, the gradients it saw; SGD on w if given. */
    static final class FakeOptimizer implements Optimizer {
        int steps;
        final Map<String, float[]> seen = new LinkedHashMap<>();
        final float[] w;
        final float lr;

        FakeOptimizer() {
            this(null, 0f);
        }

        FakeOptimizer(float[] w, float lr) {
            this.w = w;
            this.lr = lr;
        }

        @Override
        public void step(Map<String, NDArray> grads) {
            steps++;
            seen.clear();
            for (Map.Entry<String, NDArray> e : grads.entrySet()) {
                seen.put(e.getKey(), e.getValue().toType(DataType.FLOAT32, false).toFloatArray());
            }
            if (w != null) {
                float[] g = seen.get("w");
                for (int j = 0; j < w.length; j++) {
                    w[j] -= lr * g[j];
                }
            }
        }

        @Override
        public void setLearningRate(double lr) {
        }

        @Override
        public long stepCount() {
            return steps;
        }

        @Override
        public void setStepCount(long step) {
        }

        @Override
        public Map<String, NDArray> state() {
            return Map.of();
        }
    }

    static NDManager manager() {
        return NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    /** A power of two between 2^lo and 2^hi: torch's scales are (the default factors keep them so). */
    static double pow2(Random r, int lo, int hi) {
        return Math.scalb(1.0, lo + r.nextInt(hi - lo + 1));
    }

    static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static float[] times(float[] v, float s) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * s;
        }
        return out;
    }

    static String settings(double init, double growth, double backoff, int interval) {
        return String.format("GradScaler(%s, %s, %s, %d)", fmt(init), fmt(growth), fmt(backoff), interval);
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    static void sameState(String what, State expected, State actual) {
        that(actual != null, Msg.of("%s: state() returned null", what));
        that(actual.scale() == expected.scale(), Msg.of("%s: the scale is %s, expected %s", what, fmt(actual.scale()),
                fmt(expected.scale())));
        that(actual.growthTracker() == expected.growthTracker(), Msg.of("%s: the growth tracker (clean steps "
                + "counted) is %s, expected %s", what, actual.growthTracker(), expected.growthTracker()));
        that(actual.skippedSteps() == expected.skippedSteps(), Msg.of("%s: skipped steps are %s, expected %s", what,
                actual.skippedSteps(), expected.skippedSteps()));
    }

    /** One iteration as the trainer makes it: unscale, step, update. Returns whether it stepped. */
    static boolean iteration(LossScaler s, Optimizer opt, Map<String, NDArray> grads) {
        s.unscale(new ArrayList<>(grads.values()));
        boolean stepped = s.step(opt, grads);
        s.update();
        return stepped;
    }

    /** An iteration with one gradient of these values. */
    static boolean iteration(NDManager m, LossScaler s, FakeOptimizer opt, float... g) {
        try (NDArray grad = m.create(g)) {
            return iteration(s, opt, Map.of("g", grad));
        }
    }

    static final float INF = Float.POSITIVE_INFINITY;

    // ---- torch's script -------------------------------------------------------------------------

    /** What the replay of torch's script saw at one event. */
    record Seen(String kind, float[] unscaled, boolean stepped, int optimizerSteps, float[] w, State after,
                JsonObject torch) {}

    /**
     * The fixture's script: each event's gradient is dloss_dw times torch's scale before it (what
     * scaler.scale(loss).backward() gave torch), with inf, -inf or NaN in one place.
     */
    static Seen[] replay(Api a) {
        JsonObject f = Fixtures.load("grad_scaler.json");
        float[] w = Fixtures.floats(f.getAsJsonArray("w0"));
        float[] dw = Fixtures.floats(f.getAsJsonArray("dloss_dw"));
        FakeOptimizer opt = new FakeOptimizer(w, f.get("lr").getAsFloat());
        JsonArray events = f.getAsJsonArray("events");
        Seen[] seen = new Seen[events.size()];
        LossScaler s = a.create(f.get("init_scale").getAsDouble(), f.get("growth_factor").getAsDouble(),
                f.get("backoff_factor").getAsDouble(), f.get("growth_interval").getAsInt());
        try (NDManager m = manager()) {
            for (int i = 0; i < seen.length; i++) {
                JsonObject e = events.get(i).getAsJsonObject();
                String kind = e.get("kind").getAsString();
                float[] g = times(dw, (float) e.get("scale_before").getAsDouble());
                switch (kind) {
                    case "inf" -> g[1] = INF;
                    case "-inf" -> g[1] = -INF;
                    case "nan" -> g[1] = Float.NaN;
                    default -> { }
                }
                NDArray grad = m.create(g);
                s.unscale(List.of(grad));
                float[] unscaled = grad.toFloatArray();
                int before = opt.steps;
                boolean stepped = s.step(opt, Map.of("w", grad));
                s.update();
                seen[i] = new Seen(kind, unscaled, stepped, opt.steps - before, w.clone(), s.state(), e);
                grad.close();
            }
        } finally {
            s.close();
        }
        return seen;
    }

    static String at(int i, Seen s) {
        return Msg.of("at step %s of torch's script (%s gradients)", (i + 1), s.kind());
    }

    // ---- drawn runs ----------------------------------------------------------------------------

    /** Drawn settings: init 2^0..2^20, growth 1.25..4, backoff 1/8..3/4, growth_interval 1..8. */
    record Settings(double init, double growth, double backoff, int interval) {
        static Settings draw(Random r) {
            double[] backoffs = {0.125, 0.25, 0.5, 0.75};
            return new Settings(pow2(r, 0, 20), 1.25 + 0.25 * r.nextInt(12), backoffs[r.nextInt(backoffs.length)],
                    1 + r.nextInt(8));
        }

        LossScaler of(Api a) {
            return a.create(init, growth, backoff, interval);
        }

        gptkit.amp.GradScaler library() {
            return new gptkit.amp.GradScaler(init, growth, backoff, interval);
        }

        @Override
        public String toString() {
            return settings(init, growth, backoff, interval);
        }
    }

    /** "ok", "inf", "-inf" or "nan", clean 70% of the time. */
    static String[] drawKinds(Random r, int n) {
        String[] kinds = new String[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(10);
            kinds[i] = k < 7 ? "ok" : k == 7 ? "inf" : k == 8 ? "-inf" : "nan";
        }
        return kinds;
    }

    /**
     * Runs the student's scaler and the library's side by side on the same gradients (two
     * tensors of drawn shapes, scaled by the library's current scale, one bad value for a bad
     * kind) and compares each step: stepped or not, what the optimizer saw, the state after.
     */
    static void sideBySide(NDManager m, Random r, String run, String[] kinds, LossScaler s, LossScaler lib) {
        Shape[] shapes = {new Shape(1 + r.nextInt(5)), new Shape(1 + r.nextInt(3), 1 + r.nextInt(4))};
        List<String> done = new ArrayList<>();
        for (String kind : kinds) {
            done.add(kind);
            float scale = (float) lib.state().scale();
            float[][] values = new float[shapes.length][];
            for (int t = 0; t < shapes.length; t++) {
                values[t] = times(gaussian(r, (int) shapes[t].size()), scale);
            }
            if (!kind.equals("ok")) {
                int t = r.nextInt(shapes.length);
                values[t][r.nextInt(values[t].length)] = kind.equals("inf") ? INF : kind.equals("-inf") ? -INF : Float.NaN;
            }
            FakeOptimizer mine = new FakeOptimizer();
            FakeOptimizer ref = new FakeOptimizer();
            Map<String, NDArray> g = new LinkedHashMap<>();
            Map<String, NDArray> h = new LinkedHashMap<>();
            for (int t = 0; t < shapes.length; t++) {
                g.put("p" + t, m.create(values[t], shapes[t]));
                h.put("p" + t, m.create(values[t], shapes[t]));
            }
            String what = Msg.of("%s, after the steps %s", run, String.join(" ", done));
            boolean want = iteration(lib, ref, h);
            boolean got = iteration(s, mine, g);
            that(got == want, Msg.of("%s: step() returned %s, expected %s", what, got, want));
            that(mine.steps == ref.steps, Msg.of("%s: the optimizer stepped %s time(s), expected %s", what,
                    mine.steps, ref.steps));
            for (String k : ref.seen.keySet()) {
                near(Msg.of("%s: the optimizer's gradient %s", what, k), ref.seen.get(k), mine.seen.get(k), 1e-6, 0);
            }
            sameState(what, lib.state(), s.state());
            g.values().forEach(NDArray::close);
            h.values().forEach(NDArray::close);
        }
    }

    // ---- the checks ----------------------------------------------------------------------------

    /** scale(loss).backward() on loss = sum(w * dw) must give w.grad = dw * scale; returns the scaled loss. */
    static void expectScaled(NDManager m, LossScaler s, float scale, float[] dw, String what) {
        expectScaled(m, s, scale, dw, what, false);
    }

    /** gc: a garbage collection (its cleaners run) between scale(loss) and backward, as a long step brings. */
    static void expectScaled(NDManager m, LossScaler s, float scale, float[] dw, String what, boolean gc) {
        NDArray w = m.create(gaussian(new Random(dw.length), dw.length));
        w.setRequiresGradient(true);
        NDArray loss;
        NDArray scaled;
        try (Autograd rec = Autograd.record()) {
            loss = w.mul(m.create(dw)).sum();
            scaled = s.scale(loss);
            that(scaled != null, Msg.of("%s: scale(loss) returned null", what));
            if (gc) {
                gptkit.GarbageCollection.collect();
            }
            Autograd.backward(scaled);
        }
        near(Msg.of("%s: scale(loss)", what), loss.getFloat() * scale, scaled.toType(DataType.FLOAT32, false).getFloat(),
                1e-6, 0);
        near(Msg.of("%s: w's gradient after scale(loss).backward(), loss = sum(w * dw)", what), times(dw, scale),
                w.getGradient().toFloatArray(), 1e-6, 0);
    }

    static void scaleCheck(Api a, double init, double backoff, float[] dw) {
        LossScaler s = a.create(init, 2.0, backoff, 3);
        String set = settings(init, 2.0, backoff, 3);
        try (NDManager m = manager()) {
            expectScaled(m, s, (float) init, dw, set);
            iteration(m, s, new FakeOptimizer(), 1f, INF); // backs off
            expectScaled(m, s, (float) (init * backoff), dw, Msg.of("%s after an inf step (the scale backed off)",
                    set));
        } finally {
            s.close();
        }
    }

    static void unscaleCheck(Api a, double init, Random r) {
        LossScaler s = a.create(init, 2.0, 0.5, 3);
        float inv = (float) (1.0 / init);
        try (NDManager m = manager()) {
            int n = 1 + r.nextInt(4);
            List<NDArray> grads = new ArrayList<>();
            List<float[]> want = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                Shape shape = new Shape(1 + r.nextInt(4), 1 + r.nextInt(5));
                float[] v = times(gaussian(r, (int) shape.size()), (float) init);
                grads.add(m.create(v, shape));
                want.add(times(v, inv));
            }
            s.unscale(grads);
            for (int t = 0; t < n; t++) {
                near(Msg.of("%s: gradient %s of %s after unscale (in place)", settings(init, 2.0, 0.5, 3), t, n),
                        want.get(t), grads.get(t).toFloatArray(), 1e-6, 0);
            }
        } finally {
            s.close();
        }
    }

    /** After step(): the optimizer saw the gradients divided by the scale once. */
    static void onceCheck(Api a, double init, Random r) {
        LossScaler s = a.create(init, 2.0, 0.5, 3);
        try (NDManager m = manager()) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            Map<String, float[]> want = new LinkedHashMap<>();
            for (int t = 0; t < 2; t++) {
                float[] v = gaussian(r, 1 + r.nextInt(6));
                grads.put("p" + t, m.create(times(v, (float) init)));
                want.put("p" + t, times(times(v, (float) init), (float) (1.0 / init)));
            }
            FakeOptimizer opt = new FakeOptimizer();
            s.unscale(new ArrayList<>(grads.values()));
            s.step(opt, grads);
            that(opt.steps == 1, Msg.of("%s: finite gradients, but the optimizer stepped %s times",
                    settings(init, 2.0, 0.5, 3), opt.steps));
            for (String k : want.keySet()) {
                near(Msg.of("%s: the gradient %s the optimizer saw (unscale, then step)", settings(init, 2.0, 0.5, 3),
                        k),
                        want.get(k), opt.seen.get(k), 1e-6, 0);
                near(Msg.of("%s: the gradient %s after step", settings(init, 2.0, 0.5, 3), k), want.get(k),
                        grads.get(k).toFloatArray(), 1e-6, 0);
            }
        } finally {
            s.close();
        }
    }

    /** Drawn: one bad value somewhere among several tensors skips; all finite (large, zero) steps. */
    static void skipCheck(Api a, Random r) {
        String[] bad = {"inf", "-inf", "nan"};
        try (NDManager m = manager()) {
            for (String kind : bad) {
                double init = pow2(r, 0, 16);
                LossScaler s = a.create(init, 2.0, 0.5, 1000);
                int n = 1 + r.nextInt(4);
                int where = r.nextInt(n);
                Map<String, NDArray> grads = new LinkedHashMap<>();
                for (int t = 0; t < n; t++) {
                    float[] v = times(gaussian(r, 1 + r.nextInt(8)), (float) init);
                    if (t == where) {
                        v[r.nextInt(v.length)] = kind.equals("inf") ? INF : kind.equals("-inf") ? -INF : Float.NaN;
                    }
                    grads.put("p" + t, m.create(v));
                }
                FakeOptimizer opt = new FakeOptimizer();
                boolean stepped = iteration(s, opt, grads);
                String what = Msg.of("%s, %s gradients, one %s in gradient %s", settings(init, 2.0, 0.5, 1000), n,
                        kind, where);
                that(!stepped, Msg.of("%s: step() returned true; it must skip", what));
                that(opt.steps == 0, Msg.of("%s: the optimizer stepped; it must not", what));
                s.close();
            }
            LossScaler s = a.create(1024, 2.0, 0.5, 3);
            FakeOptimizer opt = new FakeOptimizer();
            that(iteration(m, s, opt, 0f, 0f, -0f) && opt.steps == 1,
                    Msg.of("zero gradients are finite: step() must run the optimizer once and return true"));
            that(iteration(m, s, opt, 3e38f, -3e38f) && opt.steps == 2,
                    Msg.of("large but finite gradients (3e38 before unscaling): step() must run the optimizer and "
                            + "return true"));
            s.close();
        }
    }

    /** Clean steps before an overflow, then the overflow: backoff, tracker 0, one skip; growth waits a full interval. */
    static void backoffCheck(Api a, Settings set, int cleanBefore) {
        LossScaler s = set.of(a);
        try (NDManager m = manager()) {
            FakeOptimizer opt = new FakeOptimizer();
            for (int i = 0; i < cleanBefore; i++) {
                iteration(m, s, opt, 1f);
            }
            iteration(m, s, opt, 1f, Float.NaN);
            String what = Msg.of("%s after %s clean step(s) and one NaN step", set, cleanBefore);
            sameState(what, new State(set.init() * set.backoff(), 0, 1), s.state());
            for (int i = 1; i < set.interval(); i++) {
                iteration(m, s, opt, 1f);
            }
            sameState(Msg.of("%s and %s clean ones (growth must wait a full growth_interval after the skip)", what,
                    (set.interval() - 1)), new State(set.init() * set.backoff(), set.interval() - 1, 1), s.state());
        } finally {
            s.close();
        }
    }

    /** The issue: an overflow on the step that would have grown the scale. */
    static void growthStepCheck(Api a, Settings set) {
        LossScaler s = set.of(a);
        try (NDManager m = manager()) {
            FakeOptimizer opt = new FakeOptimizer();
            for (int i = 0; i < set.interval() - 1; i++) {
                iteration(m, s, opt, 1f);
            }
            boolean stepped = iteration(m, s, opt, INF, 1f);
            String what = Msg.of("%s after %s clean step(s) then an inf step (it falls on the growth step: the "
                    + "growth tracker was at growth_interval - 1)", set, (set.interval() - 1));
            that(!stepped, Msg.of("%s: step() returned true", what));
            sameState(Msg.of("%s: torch backs off only, it does not grow", what), new State(set.init() * set.backoff(), 0, 1),
                    s.state());
            for (int i = 0; i < set.interval() - 1; i++) {
                iteration(m, s, opt, 1f);
            }
            sameState(Msg.of("%s, then %s clean ones", what, (set.interval() - 1)),
                    new State(set.init() * set.backoff(), set.interval() - 1, 1), s.state());
            iteration(m, s, opt, 1f);
            sameState(Msg.of("%s, then %s clean ones (a full growth_interval: now it grows)", what, set.interval()),
                    new State(set.init() * set.backoff() * set.growth(), 0, 1), s.state());
        } finally {
            s.close();
        }
    }

    /** Only clean steps: the scale grows every growth_interval steps. */
    static void growthCheck(Api a, Settings set) {
        LossScaler s = set.of(a);
        try (NDManager m = manager()) {
            FakeOptimizer opt = new FakeOptimizer();
            double scale = set.init();
            for (int i = 1; i <= 3 * set.interval(); i++) {
                iteration(m, s, opt, 1f);
                if (i % set.interval() == 0) {
                    scale *= set.growth();
                }
                sameState(Msg.of("%s after %s clean step(s)", set, i), new State(scale, i % set.interval(), 0), s.state());
            }
        } finally {
            s.close();
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.GRAD_SCALER, cls -> {
        Engines.engine(); // libtorch loads here, not inside the first check's time limit
        Bind.Ctor<LossScaler> full = Bind.part(cls, LossScaler.class, double.class, double.class, double.class,
                int.class);
        Bind.Ctor<LossScaler> defaults = Bind.part(cls, LossScaler.class);
        return new Api() {
            @Override
            public LossScaler create(double init, double growth, double backoff, int interval) {
                return full.make(init, growth, backoff, interval);
            }

            @Override
            public LossScaler createDefault() {
                return defaults.make();
            }
        };
    }, List.of(
            Check.of("scale(loss) multiplies the loss by the current scale, inside the graph", 2,
                    "return loss.mul(a float32 scalar tensor holding the scale), made with loss.getManager(): backward "
                            + "must see the multiply, so the gradients come out scale times larger. Keep that tensor "
                            + "alive until backward ran (not mul(double): DJL frees its scalar at once), and make a new "
                            + "one when update() changes the scale.",
                    a -> {
                        JsonObject f = Fixtures.load("grad_scaler.json");
                        scaleCheck(a, f.get("init_scale").getAsDouble(), 0.5, Fixtures.floats(f.getAsJsonArray("dloss_dw")));
                        Random r = Grader.random();
                        scaleCheck(a, pow2(r, 0, 24), 0.25 * (1 + r.nextInt(3)), gaussian(r, 1 + r.nextInt(8)));
                    }),
            Check.of("scale(loss) still holds when Java collects garbage before backward", 2,
                    "loss.mul(a Java number) puts a scalar tensor in the graph that nothing of yours holds: a garbage "
                            + "collection between scale(loss) and backward frees it, and backward reads freed memory. "
                            + "Make the scale a tensor of your own (loss.getManager().create((float) scale)), keep it "
                            + "in a field until backward ran, and multiply by that.",
                    a -> {
                        Random r = Grader.random();
                        double init = pow2(r, 0, 24);
                        LossScaler s = a.create(init, 2.0, 0.5, 3);
                        try (NDManager m = manager()) {
                            expectScaled(m, s, (float) init, gaussian(r, 1 + r.nextInt(8)),
                                    Msg.of("%s, a garbage collection before backward", settings(init, 2.0, 0.5, 3)), true);
                        } finally {
                            s.close();
                        }
                    }),
            Check.of("unscale divides every gradient by the scale, in place", 2,
                    "for each gradient: g.muli(1 / scale) (torch multiplies by the float32 reciprocal), under "
                            + "NoGrad. In place: the trainer reads the very tensors it gave you; a new array is lost.",
                    a -> {
                        Seen[] seen = replay(a);
                        for (int i = 0; i < seen.length; i++) {
                            if (seen[i].kind().equals("ok") && i < 3) { // before the first overflow
                                near(Msg.of("the unscaled gradient %s", at(i, seen[i])),
                                        Fixtures.floats(seen[i].torch().getAsJsonArray("unscaled_grad")),
                                        seen[i].unscaled(), 0, 0);
                            }
                        }
                        Random r = Grader.random();
                        unscaleCheck(a, 65536, r);
                        unscaleCheck(a, pow2(r, 0, 24), r);
                    }),
            Check.of("step gives the optimizer the gradients divided once", 2,
                    "unscale(grads) already divided them; step(optimizer, grads) gets the same tensors and must pass "
                            + "them on as they are. Dividing again in step makes every update scale times too small.",
                    a -> {
                        Random r = Grader.random();
                        onceCheck(a, 1024, r);
                        onceCheck(a, pow2(r, 1, 24), r);
                    }),
            Check.of("inf, -inf and NaN gradients skip the step; finite ones (zeros too) step", 3,
                    "in unscale, note whether any value is not finite: NaN (NaN != NaN, so == checks miss it), "
                            + "+inf and -inf all count. Then step() must not call optimizer.step and returns false. "
                            + "A step on inf writes inf/NaN into every weight.",
                    a -> {
                        Seen[] seen = replay(a);
                        boolean sameScale = true; // the weights are comparable while the scale was torch's
                        for (int i = 0; i < seen.length; i++) {
                            boolean want = seen[i].torch().get("stepped").getAsBoolean();
                            that(seen[i].stepped() == want, Msg.of("step() returned %s %s; torch %s",
                                    seen[i].stepped(), at(i, seen[i]), (want ? Msg.of("stepped") : Msg.of("skipped"))));
                            that(seen[i].optimizerSteps() == (want ? 1 : 0), Msg.of("the optimizer stepped %s "
                                    + "time(s) %s; torch %s", seen[i].optimizerSteps(), at(i, seen[i]),
                                    (want ? Msg.of("stepped once") : Msg.of("skipped"))));
                            if (sameScale) {
                                near(Msg.of("w %s", at(i, seen[i])), Fixtures.floats(seen[i].torch().getAsJsonArray("w_after")),
                                        seen[i].w(), 0, 1e-6);
                            }
                            sameScale &= seen[i].after().scale() == seen[i].torch().get("scale_after").getAsDouble();
                        }
                        skipCheck(a, Grader.random());
                    }),
            Check.of("after an inf/NaN step the scale backs off and the growth count restarts at 0", 2,
                    "in update(), after an overflow: scale *= backoff_factor, the growth tracker back to 0, one more "
                            + "skipped step. The clean steps before the overflow no longer count towards growth.",
                    a -> {
                        Seen[] seen = replay(a);
                        int skipped = 0;
                        for (int i = 0; i < seen.length; i++) {
                            if (!seen[i].kind().equals("ok")) {
                                skipped++;
                                sameState(at(i, seen[i]), new State(seen[i].torch().get("scale_after").getAsDouble(), 0,
                                        skipped), seen[i].after());
                            }
                        }
                        Random r = Grader.random();
                        backoffCheck(a, new Settings(1024, 2.0, 0.5, 5), 2);
                        Settings set = Settings.draw(r);
                        set = new Settings(set.init(), set.growth(), set.backoff(), 3 + r.nextInt(20));
                        backoffCheck(a, set, 1 + r.nextInt(set.interval() - 2));
                    }),
            Check.of("an overflow on the growth step backs off and does not grow", 2,
                    "when the growth tracker is at growth_interval - 1 and the step overflows, torch only backs off "
                            + "and resets the tracker: count clean steps in the else branch of the overflow test, "
                            + "never on a skipped step.",
                    a -> {
                        growthStepCheck(a, new Settings(1024, 2.0, 0.5, 3));
                        growthStepCheck(a, new Settings(1024, 2.0, 0.5, 1));
                        Random r = Grader.random();
                        growthStepCheck(a, Settings.draw(r));
                        Settings set = Settings.draw(r);
                        growthStepCheck(a, new Settings(set.init(), set.growth(), set.backoff(), 2 + r.nextInt(60)));
                    }),
            Check.of("the scale grows after growth_interval clean steps in a row", 2,
                    "count clean steps in update(); when the count reaches growth_interval, scale *= growth_factor "
                            + "and the count restarts at 0.",
                    a -> {
                        Seen[] seen = replay(a);
                        for (int i = 0; i < seen.length; i++) {
                            near(Msg.of("the scale %s", at(i, seen[i])), seen[i].torch().get("scale_after").getAsDouble(),
                                    seen[i].after().scale(), 0, 0);
                        }
                        Random r = Grader.random();
                        growthCheck(a, Settings.draw(r));
                        Settings set = Settings.draw(r);
                        growthCheck(a, new Settings(set.init(), set.growth(), set.backoff(), 9 + r.nextInt(30)));
                    }),
            Check.of("drawn runs of clean, inf and NaN steps: stepped, scale, growth tracker, skipped steps", 3,
                    "each iteration: unscale (note inf/NaN), step unless found, update (back off, or count towards "
                            + "growth); your scaler must take every decision torch's would, for any settings.",
                    a -> {
                        Random r = Grader.random();
                        try (NDManager m = manager()) {
                            for (int run = 0; run < 3; run++) {
                                Settings set = Settings.draw(r);
                                LossScaler s = set.of(a);
                                LossScaler lib = set.library();
                                try {
                                    sideBySide(m, r, set.toString(), drawKinds(r, 20 + r.nextInt(40)), s, lib);
                                } finally {
                                    s.close();
                                    lib.close();
                                }
                            }
                        }
                    }),
            Check.of("torch's defaults: 65536, x2 after 2000 clean steps, x0.5 after an overflow", 1,
                    "GradScaler() is this(65536.0, 2.0, 0.5, 2000), torch.amp.GradScaler()'s defaults.",
                    a -> {
                        LossScaler s = a.createDefault();
                        try (NDManager m = manager()) {
                            sameState("GradScaler()", new State(65536, 0, 0), s.state());
                            FakeOptimizer opt = new FakeOptimizer();
                            for (int i = 0; i < 1999; i++) {
                                iteration(m, s, opt, 1f);
                            }
                            sameState(Msg.of("GradScaler() after 1999 clean steps"), new State(65536, 1999, 0), s.state());
                            iteration(m, s, opt, 1f);
                            sameState(Msg.of("GradScaler() after 2000 clean steps"), new State(131072, 0, 0), s.state());
                            iteration(m, s, opt, Float.NaN);
                            sameState(Msg.of("GradScaler() after 2000 clean steps and a NaN step"), new State(65536, 0, 1),
                                    s.state());
                        } finally {
                            s.close();
                        }
                    }),
            Check.of("state() and restore(State) carry scale, growth tracker and skipped steps", 1,
                    "state() is new State(scale, growth tracker, skipped steps); restore takes the three back, so a "
                            + "resumed run goes on as if never stopped. A State with scale 0 (a float32 run's "
                            + "checkpoint) leaves the scaler as it is. describe() returns a few words, not null.",
                    a -> {
                        Random r = Grader.random();
                        Settings set = Settings.draw(r);
                        LossScaler s = set.of(a);
                        LossScaler resumed = a.create(1.0, set.growth(), set.backoff(), set.interval());
                        LossScaler fresh = set.of(a);
                        LossScaler lib = set.library();
                        try (NDManager m = manager()) {
                            sideBySide(m, r, set.toString(), drawKinds(r, 5 + r.nextInt(20)), s, lib);
                            State saved = lib.state();
                            resumed.restore(saved);
                            sameState(Msg.of("%s after restore(%s)",
                                    settings(1.0, set.growth(), set.backoff(), set.interval()), saved), saved, resumed.state());
                            sideBySide(m, r, Msg.of("the restored scaler"), drawKinds(r, 5 + r.nextInt(20)), resumed, lib);
                            fresh.restore(new State(0, 0, 0));
                            sameState(Msg.of("%s after restore(new State(0, 0, 0)) (a float32 checkpoint)", set),
                                    new State(set.init(), 0, 0), fresh.state());
                            that(s.describe() != null, Msg.of("describe() returned null"));
                        } finally {
                            s.close();
                            resumed.close();
                            fresh.close();
                            lib.close();
                        }
                    })),
            new Exercise.Mistake("GradScalerStepsOnInf", "inf, -inf and NaN",
                    "steps the optimizer even when a gradient is inf or NaN (backs off all the same)"),
            new Exercise.Mistake("GradScalerIgnoresNaN", "inf, -inf and NaN",
                    "looks for inf only (isInfinite): a NaN gradient is stepped on and never backs off"),
            new Exercise.Mistake("GradScalerGrowsOnBackoff", "an overflow on the growth step",
                    "counts every step towards growth: an overflow on the growth step grows and backs off at once"),
            new Exercise.Mistake("GradScalerNoResetAfterSkip", "after an inf/NaN step",
                    "backs off but keeps the growth tracker: clean steps before an overflow still count"),
            new Exercise.Mistake("GradScalerUnscalesTwice", "step gives the optimizer",
                    "divides the gradients again in step(): every update scale times too small"),
            new Exercise.Mistake("GradScalerStaleScale", "scale(loss)",
                    "keeps the first scale tensor for ever: after update() the loss is still scaled by the old scale"),
            new Exercise.Mistake("GradScalerJavaNumber", "scale(loss) still holds",
                    "loss.mul((float) scale): a Java number in the graph, freed by a garbage collection before backward"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

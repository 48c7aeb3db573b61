package gptkit.grading;

import gptkit.exercises.Part;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.Fixtures;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/GradScaler.java (grad_scaler, notebook 06) against a scripted run of real
 * torch.amp.GradScaler with growth_interval 3 and SGD (fixtures/grad_scaler.json): which steps
 * see inf, -inf or NaN, the unscaled gradients, the weights and the scale after each step.
 * Powers of two: exact, except w (SGD in float32, 1e-6).
 */
@ExtendWith(ReportCard.class)
public class GradScalerExerciseTest {
    /** A GradScaler object. */
    public interface Scaler {
        boolean unscale(float[][] grads);

        boolean step(float[][] grads, Runnable optimizerStep);

        void update();

        double getScale();
    }

    /** Its two constructors. */
    public interface Api {
        Scaler create(double initScale, double growthFactor, double backoffFactor, int growthInterval);

        Scaler createDefault();
    }

    static Api bind(Class<?> cls) {
        return new Api() {
            @Override
            public Scaler create(double init, double growth, double backoff, int interval) {
                return make(cls, new Class<?>[] {double.class, double.class, double.class, int.class},
                        init, growth, backoff, interval);
            }

            @Override
            public Scaler createDefault() {
                return make(cls, new Class<?>[0]);
            }
        };
    }

    static Scaler make(Class<?> cls, Class<?>[] types, Object... args) {
        try {
            return Bind.instance(Scaler.class, Bind.construct(cls, types, args));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the replay of torch's script saw at one event. */
    record Seen(String kind, float[] unscaled, boolean stepped, float[] w, double scaleAfter, JsonObject torch) {}

    static Seen[] replay(Api a) {
        JsonObject f = Fixtures.load("grad_scaler.json");
        Scaler s = a.create(f.get("init_scale").getAsDouble(), f.get("growth_factor").getAsDouble(),
                f.get("backoff_factor").getAsDouble(), f.get("growth_interval").getAsInt());
        float[] w = Fixtures.floats(f.getAsJsonArray("w0"));
        float[] dw = Fixtures.floats(f.getAsJsonArray("dloss_dw"));
        float lr = f.get("lr").getAsFloat();
        JsonArray events = f.getAsJsonArray("events");
        Seen[] seen = new Seen[events.size()];
        for (int i = 0; i < seen.length; i++) {
            JsonObject e = events.get(i).getAsJsonObject();
            String kind = e.get("kind").getAsString();
            float scale = (float) s.getScale();
            float[] g = new float[dw.length];
            for (int j = 0; j < g.length; j++) {
                g[j] = dw[j] * scale; // what scaler.scale(loss).backward() gives
            }
            switch (kind) {
                case "inf" -> g[1] = Float.POSITIVE_INFINITY;
                case "-inf" -> g[1] = Float.NEGATIVE_INFINITY;
                case "nan" -> g[1] = Float.NaN;
                default -> { }
            }
            float[][] grads = {g};
            s.unscale(grads);
            float[] unscaled = g.clone();
            boolean stepped = s.step(grads, () -> {
                for (int j = 0; j < w.length; j++) {
                    w[j] -= lr * grads[0][j];
                }
            });
            s.update();
            seen[i] = new Seen(kind, unscaled, stepped, w.clone(), s.getScale(), e);
        }
        return seen;
    }

    static String at(int i, Seen s) {
        return "at step " + (i + 1) + " of torch's script (" + s.kind() + " gradients)";
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.GRAD_SCALER,
            GradScalerExerciseTest::bind, List.of(
            Check.of("unscale divides every gradient by the scale, once per iteration", 2,
                    "grads[i][j] *= 1 / scale in place, in unscale(); step() unscales only when unscale() was not "
                            + "called since the last update(), or the optimizer sees gradients divided twice.",
                    a -> {
                        Seen[] seen = replay(a);
                        for (int i = 0; i < seen.length; i++) {
                            if (seen[i].kind().equals("ok")) {
                                near("the unscaled gradient " + at(i, seen[i]),
                                        Fixtures.floats(seen[i].torch().getAsJsonArray("unscaled_grad")),
                                        seen[i].unscaled(), 0, 0);
                            }
                        }
                        Scaler s = a.create(1024, 2, 0.5, 3);
                        float[][] g = {{512f, -2048f}};
                        float[] saw = new float[2];
                        s.step(g, () -> System.arraycopy(g[0], 0, saw, 0, 2));
                        that(Arrays.equals(saw, new float[] {0.5f, -2f}), "step() without unscale() gave the "
                                + "optimizer " + Arrays.toString(saw) + ", expected [0.5, -2.0]");
                    }),
            Check.of("inf, -inf and NaN gradients skip the step; finite ones (zeros too) step", 3,
                    "after unscaling, any value that is not Float.isFinite (NaN != NaN, and -inf counts) means: "
                            + "do not run optimizerStep, return false. A step on inf writes inf/NaN into the weights.",
                    a -> {
                        Seen[] seen = replay(a);
                        for (int i = 0; i < seen.length; i++) {
                            boolean want = seen[i].torch().get("stepped").getAsBoolean();
                            that(seen[i].stepped() == want, "step() returned " + seen[i].stepped() + " " + at(i, seen[i])
                                    + "; torch " + (want ? "stepped" : "skipped"));
                            near("w " + at(i, seen[i]), Fixtures.floats(seen[i].torch().getAsJsonArray("w_after")),
                                    seen[i].w(), 0, 1e-6);
                        }
                        Scaler s = a.create(1024, 2, 0.5, 3);
                        boolean[] ran = {false};
                        that(s.step(new float[][] {{0f, 0f}}, () -> ran[0] = true) && ran[0],
                                "zero gradients are finite: step() must run the optimizer");
                    }),
            Check.of("after an inf/NaN step the scale backs off (x0.5) and the clean-step count restarts", 2,
                    "in update(): if inf was found, scale *= backoff_factor and the growth count goes back to 0.",
                    a -> {
                        Seen[] seen = replay(a);
                        for (int i = 0; i < seen.length; i++) {
                            if (!seen[i].kind().equals("ok")) {
                                near("the scale " + at(i, seen[i]), seen[i].torch().get("scale_after").getAsDouble(),
                                        seen[i].scaleAfter(), 0, 0);
                            }
                        }
                    }),
            Check.of("the scale grows (x2) after growth_interval clean steps in a row", 2,
                    "count clean steps in update(); when the count reaches growth_interval, scale *= growth_factor "
                            + "and the count restarts at 0 (also after a backoff).",
                    a -> {
                        Seen[] seen = replay(a);
                        for (int i = 0; i < seen.length; i++) {
                            near("the scale " + at(i, seen[i]), seen[i].torch().get("scale_after").getAsDouble(),
                                    seen[i].scaleAfter(), 0, 0);
                        }
                    }),
            Check.of("torch's defaults: 65536, x2 after 2000 clean steps, x0.5", 1,
                    "GradScaler() is this(65536.0, 2.0, 0.5, 2000), torch.amp.GradScaler()'s defaults.",
                    a -> {
                        Scaler s = a.createDefault();
                        near("the default init_scale", 65536, s.getScale(), 0, 0);
                        for (int i = 0; i < 2000; i++) {
                            near("the scale after " + i + " clean steps", 65536, s.getScale(), 0, 0);
                            s.step(new float[][] {{1f}}, () -> { });
                            s.update();
                        }
                        near("the scale after 2000 clean steps", 131072, s.getScale(), 0, 0);
                        s.step(new float[][] {{Float.NaN}}, () -> { });
                        s.update();
                        near("the scale after a NaN step", 65536, s.getScale(), 0, 0);
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

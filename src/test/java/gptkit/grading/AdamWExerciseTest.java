package gptkit.grading;

import gptkit.exercises.Part;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.Fixtures;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;

/**
 * Grades exercises/AdamW.java (adamw, notebook 03) against torch.optim.AdamW on scripted
 * gradients (fixtures/ex_adamw.json); tolerance 2e-5 relative + 1e-6 absolute (1e-8 for
 * exp_avg_sq): torch works in float32, an answer in double drifts that little over 30 steps.
 */
@ExtendWith(ReportCard.class)
public class AdamWExerciseTest {
    public interface Api {
        void step(float[] p, float[] grad, float[] expAvg, float[] expAvgSq, long step, double lr,
                  double beta1, double beta2, double eps, double weightDecay);
    }

    /** Replays a fixture case; checks p (and m, v when moments is set) after every step. */
    static void replay(Api a, String name, boolean moments) {
        JsonObject c = Fixtures.load("ex_adamw.json").getAsJsonObject(name);
        float[] p = Fixtures.floats(c.getAsJsonArray("p0"));
        float[] m = new float[p.length];
        float[] v = new float[p.length];
        JsonArray grads = c.getAsJsonArray("grads");
        JsonArray lrs = c.getAsJsonArray("lrs");
        JsonArray betas = c.getAsJsonArray("betas");
        for (int s = 0; s < grads.size(); s++) {
            a.step(p, Fixtures.floats(grads.get(s).getAsJsonArray()), m, v, s + 1, lrs.get(s).getAsDouble(),
                    betas.get(0).getAsDouble(), betas.get(1).getAsDouble(), c.get("eps").getAsDouble(),
                    c.get("weight_decay").getAsDouble());
            String at = " after step " + (s + 1) + " ('" + name + "' case)";
            near("p" + at, Fixtures.floats(c.getAsJsonArray("p").get(s).getAsJsonArray()), p, 2e-5, 1e-6);
            if (moments) {
                near("exp_avg" + at, Fixtures.floats(c.getAsJsonArray("exp_avg").get(s).getAsJsonArray()), m, 2e-5, 1e-6);
                near("exp_avg_sq" + at, Fixtures.floats(c.getAsJsonArray("exp_avg_sq").get(s).getAsJsonArray()), v,
                        2e-5, 1e-8);
            }
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.ADAMW, Api.class, List.of(
            Check.of("the first step moves each weight by lr against its gradient's sign", 2,
                    "bias correction: divide m by (1 - beta1^step) and v by (1 - beta2^step), step = 1 on the first "
                            + "call. Without it m is 0.1 g and sqrt(v) 0.22 |g|: the first steps are far too small.",
                    a -> {
                        float[] g = {0.3f, -2f, 0.7f, -0.1f};
                        float[] p = {0.5f, 0.5f, 0.5f, 0.5f};
                        a.step(p, g, new float[4], new float[4], 1, 0.01, 0.9, 0.95, 1e-8, 0.0);
                        near("p", new float[] {0.49f, 0.51f, 0.49f, 0.51f}, p, 0, 1e-6);
                    }),
            Check.of("30 steps match torch.optim.AdamW: p, exp_avg and exp_avg_sq", 3,
                    "torch's order: decay p; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; then "
                            + "p -= lr * m_hat / (sqrt(v_hat) + eps). Update m and v in place, every element.",
                    a -> replay(a, "trajectory", true)),
            Check.of("zero gradients: only the decoupled weight decay moves p", 2,
                    "with g = 0, m and v stay 0 and the update is 0 / (0 + eps) = 0: p *= (1 - lr * weight_decay) "
                            + "and nothing else. Adding weight_decay * p to the gradient is L2 (Adam), not AdamW; "
                            + "a NaN means eps is missing.",
                    a -> replay(a, "zero", true)),
            Check.of("tiny gradients (1e-5): eps is added after the square root", 2,
                    "denom = sqrt(v_hat) + eps, not sqrt(v_hat + eps): with gradients near 1e-5, "
                            + "sqrt(v + 1e-8) is 10 times sqrt(v) and the steps shrink 10 times.",
                    a -> replay(a, "tiny", false)),
            Check.of("bias correction uses the step it is given (step 1000)", 1,
                    "use the step argument for 1 - beta^step, not a counter of your own: after a resume the first "
                            + "call is step 1000, not 1.",
                    a -> {
                        float[] p = {1f};
                        float[] m = {0.02f};
                        float[] v = {0.0004f};
                        a.step(p, new float[] {0.1f}, m, v, 1000, 0.01, 0.9, 0.999, 1e-8, 0.0);
                        double mm = 0.9 * 0.02 + 0.1 * 0.1;
                        double vv = 0.999 * 0.0004 + 0.001 * 0.01;
                        double want = 1 - 0.01 * (mm / (1 - Math.pow(0.9, 1000)))
                                / (Math.sqrt(vv / (1 - Math.pow(0.999, 1000))) + 1e-8);
                        near("p after step 1000", want, p[0], 1e-6, 0);
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

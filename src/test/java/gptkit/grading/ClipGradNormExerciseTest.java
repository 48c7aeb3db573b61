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
 * Grades exercises/ClipGradNorm.java (clip_grad_norm, notebook 07) against
 * torch.nn.utils.clip_grad_norm_ on three tensors (fixtures/clip.json, max_norm 1, 100 and 0.5);
 * tolerance 1e-5 relative (torch works in float32).
 */
@ExtendWith(ReportCard.class)
public class ClipGradNormExerciseTest {
    public interface Api {
        double clipGradNorm(float[][] grads, double maxNorm);
    }

    record Case(double maxNorm, float[][] grads, double total, float[][] clipped) {}

    static Case load(int i) {
        JsonObject c = Fixtures.load("clip.json").getAsJsonArray("cases").get(i).getAsJsonObject();
        return new Case(c.get("max_norm").getAsDouble(), tensors(c.getAsJsonArray("grads")),
                c.get("total_norm").getAsDouble(), tensors(c.getAsJsonArray("clipped")));
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

    static void grads(String what, Case c, float[][] got) {
        for (int t = 0; t < got.length; t++) {
            near(what + ", tensor " + t, c.clipped()[t], got[t], 1e-5, 1e-7);
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.CLIP_GRAD_NORM, Api.class, List.of(
            Check.of("returns the total norm before clipping, over all tensors together", 3,
                    "sqrt of the sum of every squared element of every tensor, computed before any scaling, and "
                            + "returned: train.py logs it. Not the norm after clipping, not one norm per tensor.",
                    a -> {
                        for (int i : new int[] {CLIP_1, NO_CLIP_100, CLIP_HALF}) {
                            Case c = load(i);
                            near("the returned norm (max_norm " + c.maxNorm() + ")", c.total(),
                                    a.clipGradNorm(c.grads(), c.maxNorm()), 1e-5, 0);
                        }
                    }),
            Check.of("over max_norm: every gradient scaled by max_norm / (total_norm + 1e-6)", 3,
                    "one factor for all tensors, from the global norm, applied in place to every element.",
                    a -> {
                        for (int i : new int[] {CLIP_1, CLIP_HALF}) {
                            Case c = load(i);
                            a.clipGradNorm(c.grads(), c.maxNorm());
                            grads("the clipped gradient (max_norm " + c.maxNorm() + ")", c, c.grads());
                        }
                    }),
            Check.of("under max_norm: the gradients are left as they are", 2,
                    "clip only when max_norm / (total_norm + 1e-6) < 1; otherwise do not touch the gradients.",
                    a -> {
                        Case c = load(NO_CLIP_100);
                        a.clipGradNorm(c.grads(), c.maxNorm());
                        grads("the gradient (max_norm 100, nothing to clip)", c, c.grads());
                    }),
            Check.of("zero gradients: the norm is 0 and they stay 0 (no NaN)", 2,
                    "with a zero norm, max_norm / total_norm is a division by 0: add the 1e-6, or clip only "
                            + "when total_norm > max_norm.",
                    a -> {
                        float[][] g = new float[2][5];
                        near("the returned norm", 0, a.clipGradNorm(g, 1.0), 0, 0);
                        for (float[] t : g) {
                            near("the gradient", new float[5], t, 0, 0);
                        }
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

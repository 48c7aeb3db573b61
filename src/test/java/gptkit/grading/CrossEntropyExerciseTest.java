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
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/CrossEntropy.java (cross_entropy, notebook 02) against torch's
 * F.cross_entropy(..., ignore_index=-1) and its logits.grad (fixtures/ex_cross_entropy.json);
 * tolerance 1e-5 relative (torch works in float32).
 */
@ExtendWith(ReportCard.class)
public class CrossEntropyExerciseTest {
    public interface Api {
        double crossEntropy(float[][] logits, long[] targets);

        float[][] crossEntropyGrad(float[][] logits, long[] targets);
    }

    record Case(float[][] logits, long[] targets, double loss, float[][] grad) {}

    static Case load(String name) {
        JsonObject c = Fixtures.load("ex_cross_entropy.json").getAsJsonObject(name);
        return new Case(matrix(c.getAsJsonArray("logits")), Fixtures.longs(c.getAsJsonArray("targets")),
                c.get("loss").getAsDouble(), matrix(c.getAsJsonArray("grad")));
    }

    static float[][] matrix(JsonArray a) {
        float[][] m = new float[a.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = Fixtures.floats(a.get(i).getAsJsonArray());
        }
        return m;
    }

    static void loss(Api a, String name) {
        Case c = load(name);
        near("the loss on the '" + name + "' logits", c.loss(), a.crossEntropy(c.logits(), c.targets()), 1e-5, 1e-6);
    }

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.CROSS_ENTROPY, Api.class,
            List.of(
            Check.of("matches torch's F.cross_entropy on random logits", 3,
                    "per row: log(sum_j exp(logit_j)) - logit_target; then the mean over rows. "
                            + "Natural log (Math.log), and the minus sign on the target's log-probability.",
                    a -> loss(a, "random")),
            Check.of("uniform logits give ln(vocab_size), the loss of a model that knows nothing", 1,
                    "all logits equal means every token has probability 1/V, so the loss is -ln(1/V) = ln(V).",
                    a -> near("the loss of zero logits over 65 tokens", Math.log(65),
                            a.crossEntropy(new float[4][65], new long[] {0, 7, 64, 12}), 1e-6, 0)),
            Check.of("huge logits (around 1000) give a finite, correct loss", 2,
                    "exp(1000) overflows to Infinity: compute log(sum(exp(z))) as m + log(sum(exp(z - m))) "
                            + "with m the row's max.",
                    a -> loss(a, "huge")),
            Check.of("targets of -1 are left out (ignore_index=-1), and the mean is over the rest", 2,
                    "skip rows whose target is -1, and divide by the number of rows kept, not by all rows.",
                    a -> loss(a, "ignore")),
            Check.of("the gradient is (softmax - one_hot) / count, like torch's logits.grad", 2,
                    "d loss / d logit_j = (p_j - [j == target]) / count, p = softmax of the row; rows with "
                            + "target -1 get zeros; count is the number of rows not ignored.",
                    a -> {
                        for (String name : new String[] {"random", "ignore", "huge"}) {
                            Case c = load(name);
                            float[][] g = a.crossEntropyGrad(c.logits(), c.targets());
                            that(g != null && g.length == c.grad().length, "the gradient needs one row per logits row");
                            for (int n = 0; n < g.length; n++) {
                                near("the '" + name + "' gradient, row " + n, c.grad()[n], g[n], 1e-4, 1e-6);
                            }
                        }
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

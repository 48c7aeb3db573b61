package gptkit.grading;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;

/** Grades exercises/GetLr.java (get_lr, notebook 04). Exact math: tolerance 1e-12 relative. */
@ExtendWith(ReportCard.class)
public class GetLrExerciseTest {
    public interface Api {
        double getLr(int it, double learningRate, int warmupIters, int lrDecayIters, double minLr);
    }

    // shakespeare_char: lr 1e-3, warmup 100, lr_decay_iters 5000, min_lr 1e-4
    static double lr(Api a, int it) {
        return a.getLr(it, 1e-3, 100, 5000, 1e-4);
    }

    static final double R = 1e-12;

    public static final Exercise<Api> EXERCISE = Exercise.of("get_lr", "04", "GetLr", Api.class, List.of(
            Check.of("warmup step 0 already trains: lr * 1 / (warmup_iters + 1)", 2,
                    "nanoGPT: learning_rate * (it + 1) / (warmup_iters + 1). With it / warmup_iters the first "
                            + "step gets lr 0 and is wasted (nanoGPT's old off-by-one).",
                    a -> near("get_lr(0)", 1e-3 / 101, lr(a, 0), R, 0)),
            Check.of("warmup is linear and ends one step below the peak", 1,
                    "at it = warmup_iters - 1 the rate is lr * warmup_iters / (warmup_iters + 1); use floating-point "
                            + "division, not int / int.",
                    a -> {
                        near("get_lr(49)", 1e-3 * 50 / 101, lr(a, 49), R, 0);
                        near("get_lr(99)", 1e-3 * 100 / 101, lr(a, 99), R, 0);
                    }),
            Check.of("peak at it = warmup_iters, then a cosine: half-way is the mean of lr and min_lr", 3,
                    "decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters) as a double; "
                            + "coeff = 0.5 * (1 + cos(pi * decay_ratio)); min_lr + coeff * (lr - min_lr).",
                    a -> {
                        near("get_lr(100)", 1e-3, lr(a, 100), R, 0);
                        near("get_lr(2550)", 1e-4 + 0.5 * 9e-4, lr(a, 2550), R, 0);
                        near("get_lr(1325)", 1e-4 + 0.5 * (1 + Math.cos(Math.PI * 0.25)) * 9e-4, lr(a, 1325), R, 0);
                    }),
            Check.of("min_lr at it = lr_decay_iters", 1,
                    "at decay_ratio 1 the cosine gives coeff 0: min_lr exactly.",
                    a -> near("get_lr(5000)", 1e-4, lr(a, 5000), R, 1e-18)),
            Check.of("past lr_decay_iters it stays at min_lr", 2,
                    "if it > lr_decay_iters: return min_lr, before the cosine: past ratio 1 the cosine rises again.",
                    a -> {
                        near("get_lr(5001)", 1e-4, lr(a, 5001), R, 0);
                        near("get_lr(7500)", 1e-4, lr(a, 7500), R, 0);
                        near("get_lr(1000000)", 1e-4, lr(a, 1_000_000), R, 0);
                    }),
            Check.of("no warmup (warmup_iters = 0): step 0 gets the full rate", 1,
                    "with warmup_iters 0 the warmup branch never runs; the cosine starts at ratio 0, coeff 1.",
                    a -> near("get_lr(0) with warmup 0", 6e-4, a.getLr(0, 6e-4, 0, 600000, 6e-5), R, 0))));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

package gptkit.grading;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;
import gptkit.train.Part;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;

/**
 * Grades exercises/GetLr.java (get_lr, notebook 04): the LrSchedule part, built from a config.
 * Every check runs on shakespeare_char's settings and on settings drawn at grading time;
 * expected values from gptkit.schedule.GetLr (exact math, tolerance 1e-12 relative).
 */
@ExtendWith(ReportCard.class)
public class GetLrExerciseTest {
    /** The student's part for a run's settings. */
    public interface Api {
        LrSchedule create(TrainConfig cfg);
    }

    static final double R = 1e-12;

    static TrainConfig cfg(double lr, int warmup, int decay, double minLr) {
        TrainConfig c = TrainConfig.preset("default");
        c.learning_rate = lr;
        c.warmup_iters = warmup;
        c.lr_decay_iters = decay;
        c.min_lr = minLr;
        return c;
    }

    /** shakespeare_char: lr 1e-3, warmup 100, lr_decay_iters 5000, min_lr 1e-4. */
    static TrainConfig shakespeare() {
        return cfg(1e-3, 100, 5000, 1e-4);
    }

    /** Settings drawn for this run: warmup 1..300, decay 1..20000 iterations past it. */
    static TrainConfig drawn() {
        Random r = Grader.random();
        double lr = Math.pow(10, -4 + 2 * r.nextDouble());
        int warmup = 1 + r.nextInt(300);
        return cfg(lr, warmup, warmup + 1 + r.nextInt(20_000), lr / (2 + r.nextInt(20)));
    }

    /** Expects the part's lr(it) to be get_lr's for these settings. */
    static void expect(Api a, TrainConfig c, int... its) {
        LrSchedule s = a.create(c);
        for (int it : its) {
            near(Msg.of("lr(%d) with learning_rate %.3g, warmup_iters %d, lr_decay_iters %d, min_lr %.3g", it,
                    c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr),
                    gptkit.schedule.GetLr.getLr(it, c.learning_rate, c.warmup_iters, c.lr_decay_iters, c.min_lr),
                    s.lr(it), R, 1e-18);
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.GET_LR, cls -> {
        Bind.Ctor<LrSchedule> ctor = Bind.part(cls, LrSchedule.class, TrainConfig.class);
        return c -> ctor.make(c);
    }, List.of(
            Check.of("warmup step 0 already trains: lr * 1 / (warmup_iters + 1)", 2,
                    "nanoGPT: learning_rate * (it + 1) / (warmup_iters + 1). With it / warmup_iters the first "
                            + "step gets lr 0 and is wasted (nanoGPT's old off-by-one).",
                    a -> {
                        expect(a, shakespeare(), 0);
                        expect(a, drawn(), 0);
                    }),
            Check.of("warmup is linear and ends one step below the peak", 1,
                    "at it = warmup_iters - 1 the rate is lr * warmup_iters / (warmup_iters + 1); use floating-point "
                            + "division, not int / int.",
                    a -> {
                        expect(a, shakespeare(), 49, 99);
                        TrainConfig c = drawn();
                        expect(a, c, c.warmup_iters / 2, c.warmup_iters - 1);
                    }),
            Check.of("peak at it = warmup_iters, then a cosine: half-way is the mean of lr and min_lr", 3,
                    "decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters) as a double; "
                            + "coeff = 0.5 * (1 + cos(pi * decay_ratio)); min_lr + coeff * (lr - min_lr).",
                    a -> {
                        expect(a, shakespeare(), 100, 1325, 2550);
                        TrainConfig c = drawn();
                        int span = c.lr_decay_iters - c.warmup_iters;
                        expect(a, c, c.warmup_iters, c.warmup_iters + span / 4, c.warmup_iters + span / 2,
                                c.warmup_iters + 1 + Grader.random().nextInt(span));
                    }),
            Check.of("min_lr at it = lr_decay_iters", 1,
                    "at decay_ratio 1 the cosine gives coeff 0: min_lr exactly.",
                    a -> {
                        expect(a, shakespeare(), 5000);
                        TrainConfig c = drawn();
                        expect(a, c, c.lr_decay_iters);
                    }),
            Check.of("past lr_decay_iters it stays at min_lr", 2,
                    "if it > lr_decay_iters: return min_lr, before the cosine: past ratio 1 the cosine rises again.",
                    a -> {
                        expect(a, shakespeare(), 5001, 7500, 1_000_000);
                        TrainConfig c = drawn();
                        expect(a, c, c.lr_decay_iters + 1, c.lr_decay_iters + 1 + Grader.random().nextInt(50_000));
                    }),
            Check.of("no warmup (warmup_iters = 0): step 0 gets the full rate", 1,
                    "with warmup_iters 0 the warmup branch never runs; the cosine starts at ratio 0, coeff 1.",
                    a -> {
                        expect(a, cfg(6e-4, 0, 600000, 6e-5), 0, 1);
                        TrainConfig c = drawn();
                        c.warmup_iters = 0;
                        expect(a, c, 0, 1, c.lr_decay_iters / 3);
                    }),
            Check.of("every iteration of drawn settings, 0 to past lr_decay_iters", 2,
                    "lr(it) must follow get_lr for any settings, not only the notebook's: read learning_rate, "
                            + "warmup_iters, lr_decay_iters and min_lr from the config the constructor is given.",
                    a -> {
                        TrainConfig c = drawn();
                        c.lr_decay_iters = c.warmup_iters + 1 + Grader.random().nextInt(2000);
                        expect(a, c, java.util.stream.IntStream.rangeClosed(0, c.lr_decay_iters + 10).toArray());
                    }),
            Check.of("warmup_iters > lr_decay_iters: the whole warmup, then min_lr", 1,
                    "get_lr tests it < warmup_iters first, then it > lr_decay_iters: when a config's warmup is "
                            + "longer than its decay, warmup runs to its end and min_lr follows. Keep that order.",
                    a -> {
                        expect(a, cfg(1e-3, 200, 100, 1e-4), 0, 99, 100, 101, 150, 199, 200, 201, 5000);
                        TrainConfig c = drawn();
                        c.lr_decay_iters = c.warmup_iters / 2;
                        expect(a, c, java.util.stream.IntStream.rangeClosed(0, c.warmup_iters + 2).toArray());
                    })),
            new Exercise.Mistake("GetLrWarmupOffByOne", "warmup step 0",
                    "warmup as lr * it / warmup_iters (nanoGPT's old off-by-one): iteration 0 gets rate 0"),
            new Exercise.Mistake("GetLrIntegerRatio", "peak at it = warmup_iters",
                    "decay_ratio computed with int / int, which is 0 until the end: no cosine at all"),
            new Exercise.Mistake("GetLrNoFloorAfterDecay", "past lr_decay_iters",
                    "no min_lr branch after lr_decay_iters: the cosine rises again"),
            new Exercise.Mistake("GetLrFloorBeforeWarmup", "warmup_iters > lr_decay_iters",
                    "the min_lr branch tested before the warmup one: a warmup longer than the decay is cut short"),
            new Exercise.Mistake("GetLrHardCoded", "every iteration of drawn settings",
                    "the rate hard-coded for shakespeare_char's settings instead of read from the config"),
            new Exercise.Mistake("GetLrUnicodeEscape", "warmup step 0", "the library's GetLr called, hidden by a unicode escape"),
            new Exercise.Mistake("GetLrBetweenCommentStrings", "warmup step 0",
                    "the library's GetLr called between strings that look like a comment"),
            new Exercise.Mistake("GetLrByReflection", "warmup step 0", "the library's GetLr reached by reflection"),
            new Exercise.Mistake("GetLrLibraryFactory", "warmup step 0",
                    "the library's get_lr through the interface's factory LrSchedule.library"),
            new Exercise.Mistake("GetLrJavaBeans", "warmup step 0",
                    "the library's GetLr loaded by name through java.beans.Expression"),
            new Exercise.Mistake("GetLrSeesTheGrader", "warmup step 0",
                    "get_lr only when the call stack or -Dexercise shows the grader, a constant rate in training"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

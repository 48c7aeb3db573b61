package gptkit.grading;

import ai.djl.ndarray.NDArray;
import gptkit.files.SafeFiles;
import gptkit.TinyCorpus;
import gptkit.config.TrainConfig;
import gptkit.exercises.ExerciseCompiler;
import gptkit.train.Part;
import gptkit.exercises.StudentParts;
import gptkit.train.Parts;
import gptkit.train.TrainLoop;
import gptkit.train.Trainer;
import gptkit.train.Loop;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Grades exercises/TrainLoop.java (train_loop, notebook 09): the loop part. Against a scripted
 * trainer (ScriptedSteps) the student's loop must make train.py's calls in train.py's order, on
 * fixed settings and on settings drawn at grading time; then the capstone: a small GPT trained
 * with all of the student's solved parts matches the library's trainer step for step.
 */
@ExtendWith(ReportCard.class)
public class TrainLoopExerciseTest {
    /** The student's loop, and the student's other parts (solved exercises) for the capstone. */
    public interface Api {
        Loop create();

        Map<Part, Class<?>> parts();

        /** A student's file: a failed capstone also finds which part alone differs (a dozen more runs). */
        default boolean student() {
            return false;
        }
    }

    /** One scripted run: settings, the first iteration, micro-steps, rank 0 or not, skipped steps. */
    record Script(TrainConfig cfg, int start, int accumulation, boolean master, Set<Integer> skipAt) {
        @Override
        public String toString() {
            return Msg.of("max_iters %d, eval_interval %d, log_interval %d, grad_clip %s, eval_only %s, starting "
                    + "at %d, %d micro-steps, %s, skipped steps %s", cfg.max_iters, cfg.eval_interval,
                    cfg.log_interval, cfg.grad_clip, cfg.eval_only, start, accumulation, master ? "rank 0" : "rank 1",
                    skipAt);
        }
    }

    static TrainConfig cfg(int maxIters, int evalInterval, int logInterval, double gradClip, boolean evalOnly) {
        TrainConfig c = TrainConfig.preset("default");
        c.max_iters = maxIters;
        c.eval_interval = evalInterval;
        c.log_interval = logInterval;
        c.grad_clip = gradClip;
        c.eval_only = evalOnly;
        return c;
    }

    static Script fixed() {
        return new Script(cfg(12, 5, 2, 1.0, false), 0, 3, true, Set.of(4));
    }

    static Script drawn() {
        Random r = Grader.random();
        int max = 3 + r.nextInt(23);
        Set<Integer> skip = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            skip.add(r.nextInt(max + 1));
        }
        double[] clips = {0.0, 1.0, 0.5};
        return new Script(cfg(max, 1 + r.nextInt(8), 1 + r.nextInt(5), clips[r.nextInt(3)], false),
                r.nextInt(4) == 0 ? 1 + r.nextInt(max) : 0, 1 + r.nextInt(4), r.nextInt(5) != 0, skip);
    }

    static List<String> trace(Loop loop, Script s) throws Exception {
        try (ScriptedSteps steps = new ScriptedSteps(s.cfg(), s.start(), s.accumulation(), s.master(), s.skipAt())) {
            loop.run(steps);
            return steps.trace;
        }
    }

    /** The student's calls that pass the filter equal train.py's loop's, on this script. */
    static void sameCalls(Api a, Script s, Predicate<String> which, String what) throws Exception {
        List<String> want = trace(new TrainLoop(), s).stream().filter(which).toList();
        List<String> got = trace(a.create(), s).stream().filter(which).toList();
        for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
            String w = i < want.size() ? want.get(i) : "(nothing more)";
            String g = i < got.size() ? got.get(i) : "(nothing more)";
            if (!w.equals(g)) {
                throw new AssertionError(Msg.of("%s: call %d of those is '%s', train.py's loop makes '%s' (%s; %d "
                        + "such calls expected, %d made)", what, i + 1, g, w, s, want.size(), got.size()));
            }
        }
    }

    static void both(Api a, Predicate<String> which, String what) throws Exception {
        sameCalls(a, fixed(), which, what);
        sameCalls(a, drawn(), which, what);
    }

    static boolean firstMicro(String e) {
        return e.startsWith("forward ") && e.endsWith(" 0");
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.TRAIN_LOOP, TrainLoopExerciseTest::bind, List.of(
            Check.of("runs iterations iterNum() to max_iters, inclusive", 1,
                    "start at t.iterNum() (a resumed run starts past 0) and stop after max_iters: train.py "
                            + "increments iter_num, then breaks when iter_num > max_iters.",
                    a -> both(a, TrainLoopExerciseTest::firstMicro, Msg.of("the iterations (first micro-steps)"))),
            Check.of("evaluates every eval_interval iterations on rank 0, before that iteration's micro-steps", 1,
                    "if iter % eval_interval == 0 and t.isMaster(): t.evaluate(iter, lr), right after setting lr, "
                            + "before the forward passes: the checkpoint holds the weights the evaluation saw.",
                    a -> both(a, e -> e.startsWith("evaluate") || firstMicro(e), Msg.of("evaluations and iterations"))),
            Check.of("sets each iteration's learning rate before its forward", 1,
                    "lr = t.schedule().lr(iter); t.optimizer().setLearningRate(lr) at the top of every iteration.",
                    a -> both(a, e -> e.startsWith("set lr") || firstMicro(e), Msg.of("learning rates and iterations"))),
            Check.of("divides each micro-step's loss by the number of micro-steps, then scales it", 2,
                    "gradient accumulation: the gradients of t.accumulation() micro-steps add up, so each loss is "
                            + "divided by t.accumulation() (by t.constant(n), a tensor that outlives backward) and "
                            + "then scaled: t.backward(t.scaler().scale(loss.div(t.constant(n)))).",
                    a -> both(a, e -> e.startsWith("backward") || e.startsWith("forward") || e.equals("scale"),
                            Msg.of("micro-steps"))),
            Check.of("after the micro-steps: average, unscale, clip, step, update, zero_grad", 2,
                    "train.py's order on t.gradients(): t.ddp().averageGradients, t.scaler().unscale, clip with "
                            + "grad_clip (+infinity when it is 0), t.scaler().step(optimizer, grads), "
                            + "t.scaler().update(), t.zeroGrad(). Clipping before unscaling clips scaled gradients.",
                    a -> both(a, e -> !e.startsWith("forward") && !e.startsWith("backward") && !e.equals("scale")
                            && !e.startsWith("set lr") && !e.startsWith("evaluate") && !e.startsWith("log"),
                            Msg.of("the update's calls"))),
            Check.of("logs every log_interval on rank 0: the last micro-step's loss and the norm (NaN if skipped)", 1,
                    "if iter % log_interval == 0 and t.isMaster(): t.log(iter, lr, lossf, stepped ? norm : NaN), "
                            + "lossf read from the LAST micro-step's loss (before t.gradients()), after t.zeroGrad().",
                    a -> both(a, e -> e.startsWith("log") || e.equals("zero_grad"), Msg.of("log lines"))),
            Check.of("eval_only: evaluates once and stops", 1,
                    "if iter == 0 and eval_only: break, after the first evaluation and before any forward.",
                    a -> sameCalls(a, new Script(cfg(10, 5, 1, 1.0, true), 0, 2, true, Set.of()), e -> true,
                            Msg.of("all calls"))),
            Check.of("drawn settings: every call, in train.py's order", 2,
                    "compare your loop with train.py's lines 255-333 once more: the loop must work for any "
                            + "max_iters, intervals, micro-steps, rank and start.",
                    a -> {
                        sameCalls(a, drawn(), e -> true, Msg.of("all calls"));
                        sameCalls(a, drawn(), e -> true, Msg.of("all calls"));
                    }),
            Check.training("capstone: your parts train a small GPT exactly as the library's, float32 and float16", 5,
                    "with every exercise you solved plugged in, 50 iterations of a small GPT (2 micro-steps, "
                            + "clipping active, float16 gradients that overflow now and then), stopped at 30 and resumed from your checkpoint, must give the "
                            + "library's loss, lr, gradient norm and evaluations at every iteration and the same "
                            + "weights at the end (1e-5; 1e-3 relative in float16). The message names the first difference; grade each part "
                            + "(./mvnw test -Dexercise=<id>) to find which one. A difference that comes and goes "
                            + "between runs is the DJL trap: a Java number made into a tensor inside the graph "
                            + "(loss.div(4)) freed before backward; use t.constant(4) or scalar methods that keep it.",
                    120, TrainLoopExerciseTest::capstone)),
            new Exercise.Mistake("TrainLoopNoDivide", "divides each micro-step's loss",
                    "the micro-steps' losses not divided by their number: gradients accumulation-times too large"),
            new Exercise.Mistake("TrainLoopClipBeforeUnscale", "after the micro-steps",
                    "clipping before unscaling: the scaled gradients are clipped"),
            new Exercise.Mistake("TrainLoopStopsBeforeMaxIters", "runs iterations",
                    "stops before max_iters (iter >= max_iters): train.py runs max_iters inclusive"),
            new Exercise.Mistake("TrainLoopLogsFirstMicroLoss", "logs every log_interval",
                    "logs the first micro-step's loss instead of the last's"),
            new Exercise.Mistake("TrainLoopEvaluatesAfterStep", "evaluates every eval_interval",
                    "evaluates after the update instead of before the iteration's micro-steps"),
            new Exercise.Mistake("TrainLoopClosesLoss", "capstone",
                    "the micro-step's loss closed after backward, then read for the log: a tensor used after it was closed"),
            new Exercise.Mistake("TrainLoopDividesByJavaNumber", "capstone",
                    "loss.div(n) with a Java number: DJL's tensor for n can be freed before backward reads it"));

    /** The capstone's run: 50 iterations of a one-layer GPT, two micro-steps, clipping at 0.5. */
    static TrainConfig capstoneConfig(Path out, String dtype) {
        TrainConfig c = TinyCorpus.config(out);
        // grad_clip 1.0: the tiny GPT's norms are 0.8 to 1.2, so some steps clip and some do not;
        // checkpoints only when val improves, so best_val_loss must come back from the checkpoint
        c.apply("--max_iters=50", "--eval_interval=10", "--log_interval=1", "--grad_clip=1.0", "--dtype=" + dtype,
                "--warmup_iters=5", "--lr_decay_iters=40", "--always_save_checkpoint=false");
        return c;
    }

    record Run(String dtype, Table log, Map<String, float[]> weights, double bestValLoss) {}

    static Run train(TrainConfig c, Parts parts) throws Exception {
        try (Trainer t = new Trainer(c, parts, TinyCorpus.quiet())) {
            t.run();
            Map<String, float[]> w = new java.util.LinkedHashMap<>();
            t.model().params().forEach((name, p) -> w.put(name, p.toFloatArray()));
            return new Run(c.dtype, t.log().table(), w, t.bestValLoss());
        }
    }

    /**
     * The library's 50 iterations straight, against the student's parts stopped after 30 and
     * resumed from their own checkpoint (the checkpoint part must bring back everything), with
     * garbage collected between forward and backward (the DJL trap of a Java number in the graph).
     */
    static void capstone(Api a) throws Exception {
        capstone(a, a.student());
    }

    /** diagnose: on a difference, also find which part alone makes it (a dozen more runs). */
    public static void capstone(Api a, boolean diagnose) throws Exception {
        Map<Part, Class<?>> mine = new EnumMap<>(a.parts());
        // the parts of the student's it used: none solved yet is "the library's parts and your train_loop", not "your []"
        String whose = mine.isEmpty() ? Msg.of("the library's parts and your %s", Part.TRAIN_LOOP.id)
                : Msg.of("your %s and %s (the library's parts for the rest)",
                        String.join(", ", mine.keySet().stream().map(p -> p.id).toList()), Part.TRAIN_LOOP.id);
        for (String dtype : new String[] {"float32", "float16"}) {
            Path dir = Files.createTempDirectory("gptkit-capstone");
            try {
                Run ref = train(capstoneConfig(dir.resolve("library"), dtype), overflowing(library(), null));
                Run yours;
                try {
                    yours = inTwo(dir.resolve("yours"), dtype, overflowing(
                            StudentParts.plug(library(), mine), mine.get(Part.GRAD_SCALER)).with(Part.TRAIN_LOOP, a.create()));
                } catch (RuntimeException e) {
                    if (e instanceof gptkit.exercises.NotImplementedYet) {
                        throw e;
                    }
                    throw new AssertionError(Msg.of("%s, stopped at 30 and resumed, with %s: training threw %s", dtype,
                            whose, Grader.explain(e)), e);
                }
                String diff = difference(ref, yours);
                if (diff != null) {
                    throw new AssertionError(Msg.of("%s, stopped at 30 and resumed, with %s: %s%s", dtype, whose,
                            diff, (diagnose ? culprits(a, mine, ref, dir, dtype) : "")));
                }
            } finally {
                SafeFiles.deleteTree(dir);
            }
        }
    }

    /**
     * The library's parts as the lessons write them: the trainer's AdamW is libtorch's fused kernel
     * (torch.optim.AdamW(fused=True)), equal to the written-out AdamW only to float32 rounding, and a
     * float16 run turns a rounding into a different skip or a flipped half-precision weight; a student's
     * AdamW is the written-out one, so both runs start from it and "exactly as the library's" stays exact.
     */
    static Parts library() {
        return Parts.library().with(Part.ADAMW, (gptkit.optim.AdamW.Constructor) gptkit.optim.AdamW::new);
    }

    /**
     * The float16 run's scaler starts at 2^20 and grows every 5 clean steps: gradients overflow at
     * the start and again after growths, so skips, back-offs and growth all happen. (Growing every
     * 2 steps puts the scale so close to overflow so often that a right part whose float32
     * operations come in another order flips a skip, and the runs part: too fragile to grade.) (torch's
     * defaults, 2^16 and 2000 steps, would never move in 50 iterations).
     */
    static Parts overflowing(Parts parts, Class<?> studentScaler) {
        return parts.with(Part.GRAD_SCALER, (gptkit.amp.LossScaler.Factory) c -> !c.dtype.equals("float16") ? gptkit.amp.LossScaler.disabled()
                : studentScaler == null ? new gptkit.amp.GradScaler(1 << 20, 2.0, 0.5, 5)
                : Bind.part(studentScaler, gptkit.amp.LossScaler.class, double.class, double.class, double.class,
                        int.class).make((double) (1 << 20), 2.0, 0.5, 5));
    }

    /** Trains 30 iterations, then resumes from the checkpoint to 50, with these parts. */
    static Run inTwo(Path out, String dtype, Parts parts) throws Exception {
        Parts p = collectingGarbage(parts);
        TrainConfig first = capstoneConfig(out, dtype);
        first.max_iters = 30;
        train(first, p);
        TrainConfig second = capstoneConfig(out, dtype);
        second.init_from = "resume";
        return train(second, p);
    }

    /** Which of the student's parts, each alone among the library's, already trains differently. */
    static String culprits(Api a, Map<Part, Class<?>> mine, Run ref, Path dir, String dtype) throws Exception {
        java.util.List<String> alone = new java.util.ArrayList<>();
        for (Part p : mine.keySet()) {
            Parts parts = overflowing(StudentParts.plug(library(), Map.of(p, mine.get(p))),
                    p == Part.GRAD_SCALER ? mine.get(p) : null);
            if (difference(ref, inTwo(dir.resolve("alone-" + p.id), dtype, parts)) != null) {
                alone.add(p.id);
            }
        }
        if (difference(ref, inTwo(dir.resolve("alone-loop"), dtype,
                overflowing(library(), null).with(Part.TRAIN_LOOP, a.create()))) != null) {
            alone.add(Part.TRAIN_LOOP.id);
        }
        return alone.isEmpty() ? Msg.of(". Each of your parts alone trains as the library's: they differ only "
                + "together")
                : Msg.of(". Alone among the library's parts, these of yours already differ: %s",
                        String.join(", ", alone));
    }

    /** The parts, collecting garbage after the loss and after the scaling of the first micro-steps. */
    static Parts collectingGarbage(Parts parts) {
        int[] left = {8};
        Runnable gc = () -> {
            if (left[0]-- > 0) {
                gptkit.GarbageCollection.collect(); // the cleaners too: a Java number's buffer is freed now, not maybe
            }
        };
        gptkit.model.Loss loss = parts.crossEntropy();
        gptkit.amp.LossScaler.Factory scaler = parts.gradScaler();
        return parts.with(Part.CROSS_ENTROPY, (gptkit.model.Loss) (logits, targets) -> {
            NDArray l = loss.loss(logits, targets);
            gc.run();
            return l;
        }).with(Part.GRAD_SCALER, (gptkit.amp.LossScaler.Factory) c -> new CollectingScaler(scaler.create(c), gc));
    }

    /** A scaler that collects garbage after scale(loss): the divided loss is then in the graph. */
    record CollectingScaler(gptkit.amp.LossScaler inner, Runnable gc) implements gptkit.amp.LossScaler {
        @Override
        public NDArray scale(NDArray loss) {
            NDArray s = inner.scale(loss);
            gc.run();
            return s;
        }

        @Override
        public void unscale(List<NDArray> grads) {
            inner.unscale(grads);
        }

        @Override
        public boolean step(gptkit.optim.Optimizer optimizer, Map<String, NDArray> grads) {
            return inner.step(optimizer, grads);
        }

        @Override
        public void update() {
            inner.update();
        }

        @Override
        public State state() {
            return inner.state();
        }

        @Override
        public void restore(State state) {
            inner.restore(state);
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * The first difference between two runs' logs and final weights, or null: within 1e-5 (absolute
     * and relative) in float32. In float16 the activations round at 1e-3, and a right part whose
     * float32 operations come in another order (a log-softmax written out, say) drifts 4e-5 from the
     * library's in 20 iterations; there 1e-3 relative (wrong parts miss by far more).
     */
    static String difference(Run ref, Run got) {
        boolean half = ref.dtype().equals("float16");
        double rtol = half ? 1e-3 : 1e-5;
        if (Math.abs(ref.bestValLoss() - got.bestValLoss()) > 1e-5 + rtol * Math.abs(ref.bestValLoss())) {
            return Msg.of("best_val_loss is %.7g at the end, the library's %.7g", got.bestValLoss(),
                    ref.bestValLoss());
        }
        Table r = ref.log();
        Table g = got.log();
        if (r.rowCount() != g.rowCount()) {
            return Msg.of("the log has %s rows, the library's %s", g.rowCount(), r.rowCount());
        }
        for (int i = 0; i < r.rowCount(); i++) {
            int iter = r.intColumn("iter").getInt(i);
            if (g.intColumn("iter").getInt(i) != iter) {
                return Msg.of("log row %s is iteration %s, the library's %s", i, g.intColumn("iter").getInt(i), iter);
            }
            for (String col : new String[] {"lr", "loss", "grad_norm", "train_loss", "val_loss"}) {
                double x = r.doubleColumn(col).getDouble(i);
                double y = g.doubleColumn(col).getDouble(i);
                boolean same = Double.isNaN(x) ? Double.isNaN(y) : Math.abs(x - y) <= 1e-5 + rtol * Math.abs(x);
                if (!same) {
                    return Msg.of("at iteration %d %s is %.7g, the library's %.7g", iter, col, y, x);
                }
            }
        }
        for (Map.Entry<String, float[]> e : ref.weights().entrySet()) {
            float[] y = got.weights().get(e.getKey());
            float[] x = e.getValue();
            for (int j = 0; j < x.length; j++) {
                if (!(Math.abs(x[j] - y[j]) <= 1e-5 + (half ? rtol * Math.abs(x[j]) : 0))) {
                    return Msg.of("after training, %s[%d] is %.7g, the library's %.7g", e.getKey(), j, y[j], x[j]);
                }
            }
        }
        return null;
    }

    /**
     * The loop class, and the other parts from the same place: solutions/ for a solution or a
     * wrong answer, the solved exercises/ for a student's file.
     */
    static Api bind(Class<?> cls) {
        Bind.Ctor<Loop> loop = Bind.part(cls, Loop.class);
        boolean student = cls.getPackageName().isEmpty();
        return new Api() {
            @Override
            public Loop create() {
                return loop.make();
            }

            @Override
            public Map<Part, Class<?>> parts() {
                return student ? solvedExercises() : solutions();
            }

            @Override
            public boolean student() {
                return student;
            }
        };
    }

    public static Map<Part, Class<?>> solutions() {
        Map<Part, Class<?>> m = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            try {
                Class<?> c = Class.forName("gptkit.solutions." + p.file);
                if (p != Part.TRAIN_LOOP && StudentParts.mismatch(p, c) == null) {
                    m.put(p, c);
                }
            } catch (ClassNotFoundException e) {
                // a kit without solutions/
            }
        }
        return m;
    }

    /** Each exercise the student solved (compiles, attempted, right shape, obeys the library rule). */
    static Map<Part, Class<?>> solvedExercises() {
        Map<Part, Class<?>> m = new EnumMap<>(Part.class);
        Path base = Path.of(System.getProperty("basedir", "."));
        for (Part p : Part.values()) {
            if (p == Part.TRAIN_LOOP) {
                continue;
            }
            ExerciseCompiler.Compiled k = ExerciseCompiler.compile(base.resolve(p.exercisePath()), p.exercisePath(),
                    base.resolve("target").resolve("exercise-classes").resolve(p.id),
                    TrainLoopExerciseTest.class.getClassLoader());
            try {
                if (k.ok() && !k.notAttempted() && LibraryUse.problem(k.classes()) == null) {
                    Class<?> c = k.load(p.file);
                    if (StudentParts.mismatch(p, c) == null) {
                        m.put(p, c);
                    }
                }
            } catch (ClassNotFoundException e) {
                // not this exercise's class: the library's part stays
            }
        }
        return m;
    }

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

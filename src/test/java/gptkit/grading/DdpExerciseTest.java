package gptkit.grading;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.engine.Engines;
import gptkit.autograd.Autograd;
import gptkit.ddp.Collective;
import gptkit.ddp.LocalCollective;
import gptkit.train.Part;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/Ddp.java (ddp, notebook 08): the Collective part's averageGradients, on N
 * ranks simulated as N threads, each with the student's Ddp over gptkit.ddp.LocalCollective (an
 * in-process all-reduce). The mean is checked against a double-precision mean within 1e-6
 * relative; the ranks must agree bit for bit.
 */
@ExtendWith(ReportCard.class)
public class DdpExerciseTest {
    /** The student's part over a collective. */
    public interface Api {
        Collective create(Collective comm);
    }

    /** Seconds a rank waits at the all-reduce for the others before giving up. */
    static final int BARRIER_S = 4;

    /**
     * The gradients of one run: values[call][rank][tensor], the same shapes on every rank and
     * call; viaGrad: each gradient is a handle on a parameter's .grad, as in the trainer.
     */
    record Run(int world, Shape[] shapes, float[][][][] values, boolean viaGrad) {
        int calls() {
            return values.length;
        }

        String describe() {
            return Msg.of("%s rank(s), %s gradient(s) of shapes %s%s%s", world, shapes.length,
                    Arrays.toString(shapes),
                    (calls() > 1 ? Msg.of(", %d calls", calls()) : ""), (viaGrad ? Msg.of(", as handles on .grad") : ""));
        }

        /** The element-wise mean over ranks, in double. */
        float[] mean(int call, int tensor) {
            float[] out = new float[values[call][0][tensor].length];
            for (int i = 0; i < out.length; i++) {
                double sum = 0;
                for (int r = 0; r < world; r++) {
                    sum += values[call][r][tensor][i];
                }
                out[i] = (float) (sum / world);
            }
            return out;
        }
    }

    /** What the ranks saw: after[call][rank][tensor] read from the very objects given; counts per rank. */
    record Result(float[][][][] after, long[][] counts, long[][] ddpCounts, int[] ranks, int[] worlds) {}

    static Run draw(Random r, int world, int tensors, int calls, boolean viaGrad) {
        Shape[] shapes = new Shape[tensors];
        for (int t = 0; t < tensors; t++) {
            shapes[t] = switch (r.nextInt(3)) {
                case 0 -> new Shape(1 + r.nextInt(7));
                case 1 -> new Shape(1 + r.nextInt(4), 1 + r.nextInt(5));
                default -> new Shape(1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(3));
            };
        }
        float[][][][] values = new float[calls][world][tensors][];
        for (int c = 0; c < calls; c++) {
            for (int k = 0; k < world; k++) {
                for (int t = 0; t < tensors; t++) {
                    float[] v = new float[(int) shapes[t].size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(3) - 1));
                    }
                    values[c][k][t] = v;
                }
            }
        }
        return new Run(world, shapes, values, viaGrad);
    }

    /** Runs every rank in its own thread: each builds its gradients, calls averageGradients, reads them back. */
    static Result run(Api a, Run run) {
        int world = run.world();
        List<Collective> comms = LocalCollective.group(world, BARRIER_S);
        float[][][][] after = new float[run.calls()][world][][];
        long[][] counts = new long[run.calls()][world];
        long[][] ddpCounts = new long[run.calls()][world];
        int[] ranks = new int[world];
        int[] worlds = new int[world];
        Throwable[] errors = new Throwable[world];
        Thread[] threads = new Thread[world];
        for (int k = 0; k < world; k++) {
            int rank = k;
            threads[k] = new Thread(() -> {
                try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                    Collective d = a.create(comms.get(rank));
                    ranks[rank] = d.rank();
                    worlds[rank] = d.worldSize();
                    for (int c = 0; c < run.calls(); c++) {
                        List<NDArray> given = new ArrayList<>();
                        List<NDArray> params = new ArrayList<>();
                        for (int t = 0; t < run.shapes().length; t++) {
                            NDArray v = m.create(run.values()[c][rank][t], run.shapes()[t]);
                            if (run.viaGrad()) {
                                // a parameter whose .grad is v: the gradient of sum(p * v)
                                NDArray p = m.zeros(run.shapes()[t]);
                                p.setRequiresGradient(true);
                                try (Autograd rec = Autograd.record()) {
                                    Autograd.backward(p.mul(v).sum());
                                }
                                params.add(p);
                                given.add(p.getGradient());
                            } else {
                                given.add(v);
                            }
                        }
                        List<NDArray> kept = List.copyOf(given);
                        d.averageGradients(given);
                        after[c][rank] = new float[kept.size()][];
                        for (int t = 0; t < kept.size(); t++) {
                            NDArray g = run.viaGrad() ? params.get(t).getGradient() : kept.get(t);
                            after[c][rank][t] = g.toFloatArray();
                        }
                        counts[c][rank] = comms.get(rank).allReduceCount();
                        ddpCounts[c][rank] = d.allReduceCount();
                    }
                } catch (Throwable e) {
                    errors[rank] = e;
                }
            }, "rank " + rank);
            threads[k].setDaemon(true);
            threads[k].start();
        }
        for (Thread t : threads) {
            try {
                t.join((BARRIER_S + 2) * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            that(!t.isAlive(), Msg.of("%s: %s did not finish (are all ranks making the same all-reduce calls?)",
                    run.describe(), t.getName()));
        }
        for (Throwable e : errors) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException(e);
            }
        }
        return new Result(after, counts, ddpCounts, ranks, worlds);
    }

    /** Every rank holds the mean over ranks, and the ranks agree exactly. */
    static void expectMean(Api a, Run run) {
        Result res = run(a, run);
        for (int c = 0; c < run.calls(); c++) {
            for (int t = 0; t < run.shapes().length; t++) {
                float[] want = run.mean(c, t);
                String call = run.calls() > 1 ? Msg.of(" at call %s", (c + 1)) : "";
                for (int k = 0; k < run.world(); k++) {
                    // 1e-6 absolute: float32 sums of values near 1 that cancel round at a few 1e-7
                    near(Msg.of("%s: rank %s's gradient %s%s (the mean over ranks)", run.describe(), k, t, call), want,
                            res.after()[c][k][t], 1e-6, 1e-6);
                }
                for (int k = 1; k < run.world(); k++) {
                    that(Arrays.equals(res.after()[c][0][t], res.after()[c][k][t]), Msg.of("%s: ranks 0 and %s "
                            + "hold different gradients %s%s: every rank must step alike", run.describe(), k, t, call));
                }
            }
        }
    }

    static final float[][] FIXED = {{1f, -2f, 0.5f, 4f, 3f, -1f, 2f}, {3f, 2f, 0.25f, -4f, 1f, 1f, 0f},
            {-1f, 0f, 0.75f, 8f, 2f, 0f, -2f}, {5f, 4f, 0.5f, 0f, -6f, 2f, 4f}};

    /** 4 ranks, 2 gradients (2x2 and 3): not as many gradients as ranks. */
    static Run fixed(boolean viaGrad) {
        float[][][][] values = new float[1][4][2][];
        for (int k = 0; k < 4; k++) {
            values[0][k][0] = Arrays.copyOfRange(FIXED[k], 0, 4);
            values[0][k][1] = Arrays.copyOfRange(FIXED[k], 4, 7);
        }
        return new Run(4, new Shape[] {new Shape(2, 2), new Shape(3)}, values, viaGrad);
    }

    static void expectOneAllReducePerCall(Api a, Run run) {
        Result res = run(a, run);
        for (int c = 0; c < run.calls(); c++) {
            for (int k = 0; k < run.world(); k++) {
                that(res.counts()[c][k] == c + 1, Msg.of("%s: rank %s made %s all-reduce(s) in %s call(s) of "
                        + "averageGradients; expected %s (one bucket per call)", run.describe(), k,
                        res.counts()[c][k], (c + 1), (c + 1)));
            }
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.DDP, cls -> {
        Engines.engine(); // libtorch loads here, not inside the first check's time limit
        Bind.Ctor<Collective> ctor = Bind.part(cls, Collective.class, Collective.class);
        return comm -> ctor.make(comm);
    }, List.of(
            Check.of("after averageGradients every rank holds the mean over ranks", 3,
                    "comm.allReduceSum gives every rank the sum of all ranks' values; DDP then divides by the "
                            + "world size (comm.worldSize()), not by the number of gradients. A sum makes every step "
                            + "world-size times too large.",
                    a -> {
                        expectMean(a, fixed(false));
                        Random r = Grader.random();
                        expectMean(a, draw(r, 2 + r.nextInt(3), 1 + r.nextInt(5), 1, false));
                    }),
            Check.of("one all-reduce per call: all gradients in one bucket", 2,
                    "copy every gradient's values into one float[] (one after the other), all-reduce it once, then "
                            + "copy the parts back. One all-reduce per tensor pays the network's latency per tensor.",
                    a -> {
                        expectOneAllReducePerCall(a, fixed(false));
                        Random r = Grader.random();
                        expectOneAllReducePerCall(a, draw(r, 2 + r.nextInt(3), 2 + r.nextInt(5), 2 + r.nextInt(2),
                                false));
                    }),
            Check.of("the given gradients are updated in place, handles on .grad too", 2,
                    "write the mean into the very NDArrays of the list, with gptkit.autograd.Tensors.copyInto(g, values): the "
                            + "trainer reads those objects afterwards. Replacing the list's elements with new arrays, "
                            + "or g.set(float[]) through a handle on .grad, leaves the gradients as they were.",
                    a -> {
                        expectMean(a, fixed(true));
                        Random r = Grader.random();
                        expectMean(a, draw(r, 2 + r.nextInt(3), 1 + r.nextInt(4), 1, true));
                    }),
            Check.of("world size 1 leaves the gradients as they are", 1,
                    "the mean over one rank is the gradient itself: sum over one rank, divided by 1.",
                    a -> {
                        Random r = Grader.random();
                        for (int n : new int[] {1, 2 + r.nextInt(4)}) {
                            Run run = draw(r, 1, n, 1, false);
                            Result res = run(a, run);
                            for (int t = 0; t < n; t++) {
                                near(Msg.of("%s: gradient %s", run.describe(), t), run.values()[0][0][t], res.after()[0][0][t], 0, 0);
                            }
                            that(res.counts()[0][0] <= 1, Msg.of("%s: %s all-reduces for one call; at most one",
                                    run.describe(), res.counts()[0][0]));
                        }
                    }),
            Check.of("drawn world sizes, gradient counts, shapes and values, several steps", 2,
                    "every call is one optimizer step: average the gradients given, whatever their number and shapes "
                            + "(read g.size() and g.getShape() from each, not fixed sizes).",
                    a -> {
                        Random r = Grader.random();
                        for (int i = 0; i < 2; i++) {
                            expectMean(a, draw(r, 1 + r.nextInt(4), 1 + r.nextInt(6), 1 + r.nextInt(3),
                                    r.nextBoolean()));
                        }
                    }),
            Check.of("rank(), worldSize() and the counters are the collective's", 1,
                    "the part wraps the collective it is given: rank(), worldSize(), allReduceSum, allReduceCount, "
                            + "allReduceSeconds and close() call comm's (as the exercise gives them).",
                    a -> {
                        Random r = Grader.random();
                        Run run = draw(r, 2 + r.nextInt(3), 1 + r.nextInt(3), 1, false);
                        Result res = run(a, run);
                        for (int k = 0; k < run.world(); k++) {
                            that(res.ranks()[k] == k, Msg.of("rank() on rank %s gave %s", k, res.ranks()[k]));
                            that(res.worlds()[k] == run.world(), Msg.of("worldSize() on rank %s gave %s, expected "
                                    + "%s", k, res.worlds()[k], run.world()));
                            that(res.ddpCounts()[0][k] == res.counts()[0][k], Msg.of("allReduceCount() on rank %s "
                                    + "gave %s, the collective's is %s", k, res.ddpCounts()[0][k], res.counts()[0][k]));
                        }
                    })),
            new Exercise.Mistake("DdpSums", "after averageGradients",
                    "sums the ranks' gradients without dividing by the world size"),
            new Exercise.Mistake("DdpAllReducePerTensor", "one all-reduce per call",
                    "one all-reduce per gradient tensor instead of one bucket"),
            new Exercise.Mistake("DdpDividesByTensorCount", "after averageGradients",
                    "divides by the number of gradients instead of the number of ranks"),
            new Exercise.Mistake("DdpNewArrays", "the given gradients are updated in place",
                    "puts new arrays into the list instead of writing into the given gradients"),
            new Exercise.Mistake("DdpInheritsDefault", "after averageGradients",
                    "no averageGradients of its own: the interface's default method, the library's averaging, runs"),
            new Exercise.Mistake("DdpCallsDefault", "after averageGradients",
                    "Collective.super.averageGradients: the interface's default method is the library's averaging"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

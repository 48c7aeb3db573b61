package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import gptkit.amp.LossScaler;
import gptkit.config.TrainConfig;
import gptkit.ddp.Collective;
import gptkit.optim.Optimizer;
import gptkit.schedule.LrSchedule;
import gptkit.train.GradClipper;
import gptkit.train.Loop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trainer without a model, for grading a loop: every call the loop makes is written to a
 * trace ("forward 3 1", "clip 1.0", ...), so a student's loop and train.py's can be compared call
 * for call. Losses are numbers that tell iteration and micro-step apart; the scaler multiplies by
 * 1024 and skips the steps it is told to.
 */
final class ScriptedSteps implements Loop.Steps, AutoCloseable {
    final List<String> trace = new ArrayList<>();
    private final NDManager manager = NDManager.newBaseManager();
    private final TrainConfig cfg;
    private final int start;
    private final int accumulation;
    private final boolean master;
    private final Set<Integer> skipAt;
    private int iter;

    ScriptedSteps(TrainConfig cfg, int start, int accumulation, boolean master, Set<Integer> skipAt) {
        this.cfg = cfg;
        this.start = start;
        this.accumulation = accumulation;
        this.master = master;
        this.skipAt = skipAt;
    }

    private void note(String event) {
        if (trace.size() > 100_000) {
            throw new AssertionError(Msg.of("the loop made more than 100000 calls: does it stop after max_iters?"));
        }
        trace.add(event);
    }

    @Override
    public TrainConfig config() {
        return cfg;
    }

    @Override
    public int iterNum() {
        return start;
    }

    @Override
    public int accumulation() {
        return accumulation;
    }

    @Override
    public boolean isMaster() {
        return master;
    }

    @Override
    public LrSchedule schedule() {
        return it -> 1e-3 * (it + 1);
    }

    private final Optimizer optimizer = new Optimizer() {
        @Override
        public void setLearningRate(double lr) {
            note(String.format("set lr %.6g", lr));
        }

        @Override
        public void step(Map<String, NDArray> grads) {
            note("optimizer step");
        }

        @Override
        public long stepCount() {
            return 0;
        }

        @Override
        public void setStepCount(long step) {
        }

        @Override
        public Map<String, NDArray> state() {
            return Map.of();
        }
    };

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    private final LossScaler scaler = new LossScaler() {
        @Override
        public NDArray scale(NDArray loss) {
            note("scale");
            return loss.mul(1024);
        }

        @Override
        public void unscale(List<NDArray> grads) {
            note("unscale");
        }

        @Override
        public boolean step(Optimizer o, Map<String, NDArray> grads) {
            note("scaler step");
            if (skipAt.contains(iter)) {
                return false;
            }
            o.step(grads);
            return true;
        }

        @Override
        public void update() {
            note("update");
        }

        @Override
        public State state() {
            return new State(1024, 0, 0);
        }

        @Override
        public void restore(State state) {
        }

        @Override
        public String describe() {
            return "";
        }

        @Override
        public void close() {
        }
    };

    @Override
    public LossScaler scaler() {
        return scaler;
    }

    private final Collective ddp = new Collective() {
        @Override
        public int rank() {
            return master ? 0 : 1;
        }

        @Override
        public int worldSize() {
            return 2;
        }

        @Override
        public void allReduceSum(float[] data) {
            note("all-reduce");
        }

        @Override
        public void averageGradients(List<NDArray> grads) {
            note("average " + grads.size());
        }

        @Override
        public long allReduceCount() {
            return 0;
        }

        @Override
        public double allReduceSeconds() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

    @Override
    public Collective ddp() {
        return ddp;
    }

    @Override
    public GradClipper clipGradNorm() {
        return (grads, maxNorm) -> {
            note("clip " + maxNorm);
            return 0.5f;
        };
    }

    @Override
    public void evaluate(int it, double lr) {
        note(String.format("evaluate %d lr %.6g", it, lr));
    }

    @Override
    public NDArray forward(int it, int micro) {
        iter = it;
        note("forward " + it + " " + micro);
        return manager.create((float) (1 + it + micro / 10.0));
    }

    @Override
    public NDArray constant(float value) {
        return manager.create(value);
    }

    @Override
    public void backward(NDArray loss) {
        note(String.format("backward %.6g", loss.getFloat()));
    }

    @Override
    public Map<String, NDArray> gradients() {
        note("gradients");
        Map<String, NDArray> g = new LinkedHashMap<>();
        g.put("w", manager.create(new float[] {1, 2}));
        g.put("b", manager.create(new float[] {3}));
        return g;
    }

    @Override
    public void zeroGrad() {
        note("zero_grad");
    }

    @Override
    public void log(int it, double lr, float loss, float gradNorm) {
        note(String.format("log %d lr %.6g loss %.6g norm %s", it, lr, loss, gradNorm));
    }

    @Override
    public void close() {
        manager.close();
    }
}

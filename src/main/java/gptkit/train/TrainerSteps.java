package gptkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.amp.LossScaler;
import gptkit.amp.Precision;
import gptkit.autograd.Autograd;
import gptkit.config.TrainConfig;
import gptkit.ddp.Collective;
import gptkit.optim.Optimizer;
import gptkit.schedule.LrSchedule;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The trainer as the loop part sees it ({@link Loop.Steps}). It owns the memory of each
 * micro-step (closed at the next forward or at gradients()) and of each optimizer step (closed at
 * zeroGrad), so a loop written without NDScope frees what it made, as train.py's does by going out
 * of scope. Each step does what its name says; zeroGrad and log then tell the listeners.
 */
final class TrainerSteps implements Loop.Steps, AutoCloseable {
    private final Trainer trainer;
    private final TrainConfig cfg;
    private final Parts parts;
    private final Precision precision;
    private final LrSchedule schedule;
    private final Listeners listeners;
    private final int accumulation;
    private final Map<Float, NDArray> constants = new HashMap<>();
    private float lastLoss = Float.NaN;
    private int lastIter = -1;
    private int iter;
    private int micro;
    private NDList xy; // the batch the next micro-step trains on, and its (iteration, micro-step)
    private int xyIter;
    private int xyMicro;
    private NDScope microScope;
    private Autograd recording;
    private NDArray microLoss;
    private NDScope stepScope;

    TrainerSteps(Trainer trainer, Parts parts, Precision precision, LrSchedule schedule, Listeners listeners) {
        this.trainer = trainer;
        this.cfg = trainer.config();
        this.parts = parts;
        this.precision = precision;
        this.schedule = schedule;
        this.listeners = listeners;
        this.accumulation = trainer.accumulation();
        this.iter = trainer.iterNum();
    }

    /** Fetches the batch of (iteration, micro-step) ahead of its forward. */
    void prefetch(int it, int m) {
        NDList next = trainBatch(it, m);
        if (xy != null) {
            xy.close();
        }
        xy = next;
        xyIter = it;
        xyMicro = m;
    }

    /** The batch this rank trains on at (iteration, micro-step): a stream of its own per rank. */
    private NDList trainBatch(int it, int m) {
        NDList batch = parts.getBatch().getBatch(trainer.trainData(), cfg.block_size, cfg.batch_size,
                Seeds.rng(cfg.seed, Seeds.TRAIN, it, m, trainer.ddp().rank()), trainer.model().manager());
        NDScope.unregister(batch); // it outlives the micro-step that fetched it
        return batch;
    }

    /** The last iteration a forward ran at (-1: none), and its logged loss. */
    int lastIter() {
        return lastIter;
    }

    float lastLoss() {
        return lastLoss;
    }

    @Override
    public TrainConfig config() {
        return cfg;
    }

    @Override
    public int iterNum() {
        return trainer.iterNum();
    }

    @Override
    public int accumulation() {
        return accumulation;
    }

    @Override
    public boolean isMaster() {
        return trainer.isMaster();
    }

    @Override
    public LrSchedule schedule() {
        return schedule;
    }

    @Override
    public Optimizer optimizer() {
        return trainer.optimizer();
    }

    @Override
    public LossScaler scaler() {
        return trainer.scaler();
    }

    @Override
    public Collective ddp() {
        return trainer.ddp();
    }

    @Override
    public GradClipper clipGradNorm() {
        return parts.clipGradNorm();
    }

    @Override
    public void evaluate(int it, double lr) throws IOException {
        stopIfRequested();
        trainer.evaluateAndCheckpoint(it, lr);
    }

    @Override
    public NDArray forward(int it, int m) {
        if (m == 0) {
            stopIfRequested(); // between optimizer steps: a step is never cut in half
        }
        closeMicroStep();
        iter = it;
        trainer.at(it);
        lastIter = it;
        micro = m;
        if (xy == null || xyIter != it || xyMicro != m) {
            prefetch(it, m);
        }
        microScope = new NDScope();
        recording = Autograd.record();
        JniUtils.setSeed(Seeds.mix(cfg.seed, Seeds.DROPOUT, it, m, trainer.ddp().rank())); // dropout masks
        microLoss = parts.crossEntropy().loss(trainer.model().forward(precision.weights(), xy.get(0)), xy.get(1));
        return microLoss;
    }

    @Override
    public NDArray constant(float value) {
        return constants.computeIfAbsent(value, v -> {
            NDArray c = trainer.model().manager().create(v); // owns its memory as long as the trainer
            NDScope.unregister(c);
            return c;
        });
    }

    @Override
    public void backward(NDArray loss) {
        if (microScope == null) {
            throw new IllegalStateException("backward without forward: call forward(iter, micro) first");
        }
        // fetch the next batch while the device works (train.py's prefetch)
        boolean last = micro + 1 == accumulation;
        NDList next = last ? trainBatch(iter + 1, 0) : trainBatch(iter, micro + 1);
        Autograd.backward(loss);
        xy.close(); // only now: backward reads the targets again
        xy = next;
        xyIter = last ? iter + 1 : iter;
        xyMicro = last ? 0 : micro + 1;
    }

    @Override
    public Map<String, NDArray> gradients() {
        float lossf = microLoss == null ? Float.NaN : microLoss.getFloat();
        if (!Float.isFinite(lossf)) {
            throw trainer.diverged("the loss", lossf, schedule.lr(iter));
        }
        closeMicroStep();
        closeStep();
        stepScope = new NDScope();
        return precision.gradients();
    }

    @Override
    public void zeroGrad() {
        precision.zeroGrad();
        precision.afterStep();
        closeStep();
        listeners.iteration(iter, cfg.max_iters); // the iteration is over: its time, progress, ...
    }

    @Override
    public void log(int it, double lr, float loss, float gradNorm) {
        lastLoss = loss;
        listeners.logged(it, lr, loss, gradNorm); // the console line, the log's row, trackers
    }

    /** Thrown at a step boundary after Trainer.requestStop; run() ends there. */
    static final class Stop extends RuntimeException {
        Stop() {
            super("stop requested", null, false, false);
        }
    }

    private void stopIfRequested() {
        if (trainer.stopRequested()) {
            throw new Stop();
        }
    }

    private void closeMicroStep() {
        if (recording != null) {
            recording.close();
            recording = null;
        }
        if (microScope != null) {
            microScope.close();
            microScope = null;
        }
    }

    private void closeStep() {
        if (stepScope != null) {
            stepScope.close();
            stepScope = null;
        }
    }

    @Override
    public void close() {
        closeMicroStep();
        closeStep();
        microLoss = null;
        if (xy != null) {
            xy.close();
        }
        constants.values().forEach(NDArray::close);
    }
}

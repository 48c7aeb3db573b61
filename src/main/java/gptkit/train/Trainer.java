package gptkit.train;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import gptkit.amp.LossScaler;
import gptkit.amp.Precision;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.DataIdentity;
import gptkit.checkpoint.WorldSizeChange;
import gptkit.config.Footprint;
import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.data.TokenFile;
import gptkit.ddp.Collective;
import gptkit.engine.Engines;
import gptkit.model.GPT;
import gptkit.model.LoraAdapters;
import gptkit.optim.Optimizer;
import gptkit.outdir.OutDir;
import gptkit.outdir.OutDirLock;
import gptkit.schedule.LrSchedule;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * nanoGPT's train.py as an object: build it from a config (and, if you like, your own
 * {@link Parts}), call {@link #run()}. The constructor is train.py's setup (DDP, data, init
 * ({@link InitFrom}), model, what trains ({@link TrainState}), optimizer, scaler); {@link #run()}
 * hands the loop part the trainer's steps ({@link TrainerSteps}); what a run prints and writes as it
 * goes are {@link TrainingListener}s (the console, log.csv and charts, a tracker).
 */
public final class Trainer implements AutoCloseable {
    private final TrainConfig cfg; // a validated, frozen copy: the caller's object is never changed
    private final Parts parts;
    private final Collective ddp;
    private final boolean master;
    private final int accumulation; // micro-steps per optimizer step on this rank
    private final Device device;
    private final Path outDir;
    private final TrainingData data; // the vocabulary, train.bin and val.bin
    private final DataIdentity.Hashes dataHashes; // recorded in each checkpoint: what it was trained on
    private final GPT model;
    private final TrainState state; // what trains (the weights, or a LoRA run's adapters) and its checkpoint file
    private final Precision precision;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final LossScaler scaler;
    private final TrainingLog log;
    private final Listeners listeners = new Listeners();
    private final AutoCloseable outDirLock; // one training process per out_dir
    private int iterNum;
    private int checkpointIter; // the iteration of out_dir's checkpoint of this run (saved or resumed from)
    private double bestValLoss;
    private volatile boolean stopRequested; // Ctrl-C: stop at the next step boundary
    private boolean stopped;
    private EstimateLoss.Losses lastEval;
    private PrintStream out;

    /** What a run ended with. */
    public record Result(int iterNum, double bestValLoss, EstimateLoss.Losses lastEval, double lastLoss,
                         double msPerIter, double tokensPerSec) {}

    /** A trainer with the library's parts: a DDP rank when torchrun's variables are set. */
    public Trainer(TrainConfig cfg) throws IOException {
        this(cfg, Parts.library());
    }

    public Trainer(TrainConfig config, Parts parts) throws IOException {
        this(config, parts, System.out);
    }

    /** A trainer that prints to out from its first line on (a notebook's second run, a test). */
    public Trainer(TrainConfig config, Parts parts, PrintStream out) throws IOException {
        this.cfg = config.copy();
        cfg.validate(); // every rule, before any connection or native call
        cfg.freeze();
        this.parts = parts;
        ddp = parts.ddp().create(cfg); // DDP: which rank is this process, and its share of the micro-steps
        try { // the total split over the ranks; a resume on a world size it cannot split stops here
            accumulation = WorldSizeChange.accumulationPerRank(cfg, ddp.worldSize(), parts.checkpoint());
        } catch (IllegalArgumentException e) {
            ddp.close();
            throw e;
        }
        master = ddp.rank() == 0;
        this.out = master ? out : new PrintStream(OutputStream.nullOutputStream()); // rank 0 speaks for all
        device = Engines.device(cfg.device);
        outDir = master ? OutDir.check(cfg.out_dir) : Path.of(cfg.out_dir); // refuse an unwritable out_dir now
        if (master) {
            OutDirLock.refuseIfHeld(outDir); // another process trains there: say so before judging its files
        }
        data = TrainingData.open(cfg);
        InitFrom init = InitFrom.of(cfg, outDir, parts.checkpoint(), data.tokenizer(), master, this.out);
        var args = init.args();
        data.requireTokens(args.block_size());
        Footprint.training(args.block_size(), args.vocab_size(), args.n_layer(), args.n_head(), args.n_embd(),
                args.bias(), cfg.batch_size, cfg.lora_rank == 0, cfg.dtype)
                .check(device.isGpu() ? 0 : Footprint.physicalMemory());
        dataHashes = DataIdentity.check(data.dir(), cfg, init.savedData(), outDir, this.out); // other data: refused
        model = new GPT(args, device, cfg.seed); // every rank the same weights from the same seed: identical replicas
        this.out.printf("number of parameters: %.2fM%n", model.numParams(true) / 1e6);
        init.loadBase(model);
        state = TrainState.of(cfg, model, parts, init, this.out);
        optimizer = parts.optimizer().create(state.trainable(), cfg);
        this.out.print(optimizer.describe());
        schedule = parts.getLr().create(cfg);
        scaler = parts.gradScaler().create(cfg);
        InitFrom.Start start = init.restore(state, optimizer, scaler, cfg, ddp.worldSize(), outDir, this.out);
        iterNum = start.iterNum();
        bestValLoss = start.bestValLoss();
        checkpointIter = start.checkpointIter();
        log = start.log();
        precision = Precision.of(cfg.dtype, state.trainable(), state.frozen()); // after the weights are final
        // last, so a constructor that fails holds no lock; only rank 0 writes into out_dir
        outDirLock = master ? OutDirLock.acquire(outDir) : () -> { };
        listeners.add(new Console(() -> this.out, cfg.progress && master, scaler));
        if (master) { // holding the lock: no live save of another trainer can be among them
            OutDir.removeStaleTemps(outDir, this.out);
            listeners.add(new LogCsv(log, outDir, cfg.charts,
                    () -> TrainingMessages.untouched(checkpointIter, outDir)));
        }
        Tracking.attach(this, this.out); // --tracking=tensorboard: rank 0 writes event files into out_dir
    }

    /** Runs the loop part (train.py's while loop) until max_iters, inclusive as train.py does. */
    public Result run() throws IOException {
        long tokensPerIter = (long) accumulation * ddp.worldSize() * cfg.batch_size * cfg.block_size;
        out.printf("tokens per iteration will be: %,d%n", tokensPerIter);
        TrainerSteps steps = new TrainerSteps(this, parts, precision, schedule, listeners);
        ThreadGovernor governor = ThreadGovernor.forRun(!device.isGpu(), ddp.worldSize(), out);
        listeners.add(governor); // fewer CPU threads while other programs keep the cores busy
        Speed speed = new Speed(model, tokensPerIter, cfg.batch_size * accumulation, cfg.peak_flops);
        try {
            steps.prefetch(iterNum, 0); // fetch the very first batch
            listeners.started(iterNum, cfg.max_iters, speed);
            parts.trainLoop().run(steps);
        } catch (TrainerSteps.Stop e) {
            stopped = true; // Ctrl-C: the steps done so far are logged below
        } catch (EngineException e) {
            throw TrainingMessages.outOfMemory(e, cfg, device.isGpu(), iterNum, tokensPerIter, outDir);
        } finally {
            steps.close();
            listeners.finished();
            listeners.remove(governor);
        }
        if (steps.lastIter() >= 0) {
            iterNum = steps.lastIter() + 1;
        }
        listeners.save();
        return new Result(iterNum, bestValLoss, lastEval, steps.lastLoss(), speed.msPerIter(), speed.tokensPerSec());
    }

    /** estimate_loss, and a checkpoint when val improved (or always_save_checkpoint). Rank 0 only. */
    void evaluateAndCheckpoint(int iter, double lr) throws IOException {
        iterNum = iter;
        lastEval = parts.estimateLoss().estimateLoss(evalModel(Seeds.rng(cfg.seed, Seeds.TRAIN, iterNum, -1),
                Seeds.rng(cfg.seed, Seeds.VAL, iterNum, -1)), cfg.eval_iters);
        listeners.evaluated(iterNum, lr, lastEval.train(), lastEval.val());
        if (!Double.isFinite(lastEval.val()) || !Double.isFinite(lastEval.train())) {
            throw diverged("the evaluated loss", lastEval.val(), lr); // never save a broken model
        }
        if (lastEval.val() < bestValLoss || cfg.always_save_checkpoint) {
            bestValLoss = lastEval.val();
            if (iterNum > 0) {
                out.println("saving checkpoint to " + outDir);
                saveCheckpoint();
            }
        }
        listeners.save(); // log.csv and the charts, as of this checkpoint
    }

    /** Writes this run's checkpoint (ckpt.bin, or a LoRA run's lora.bin) atomically. Rank 0 only. */
    public void saveCheckpoint() throws IOException {
        if (!master) {
            return;
        }
        Checkpoint.Header h = Checkpoint.Header.at(iterNum, bestValLoss);
        h.config = cfg.toMap();
        h.vocab = data.tokenizer().chars();
        h.data = dataHashes;
        h.world_size = ddp.worldSize(); // the split it was trained with, for a resume on another world size
        h.gradient_accumulation_steps = cfg.gradient_accumulation_steps;
        h.gradient_accumulation_steps_per_rank = accumulation;
        h.scaler(scaler.state());
        try {
            state.save(outDir.resolve(state.fileName()), h, optimizer);
        } catch (IOException e) {
            long bytes = Checkpoint.withOptimizer(state.trainable(), optimizer).values().stream()
                    .mapToLong(a -> 4 * a.size()).sum(); // float32 on disk
            throw OutDir.diskFull(e, outDir, state.fileName() + " of iteration " + iterNum, bytes,
                    TrainingMessages.untouched(checkpointIter, outDir));
        }
        checkpointIter = iterNum;
    }

    /**
     * After run(): why this run wrote no checkpoint (its val loss never improved on iteration 0's, or
     * it evaluated only at iteration 0), as a warning line with what to try; null when it wrote one,
     * resumed from one, or only evaluated.
     */
    public String noCheckpointWarning() {
        if (checkpointIter >= 0 || cfg.eval_only || !master) {
            return null;
        }
        return TrainingMessages.noCheckpoint(cfg, state.fileName(), outDir, bestValLoss, state.withoutCheckpoint());
    }

    /** The model as estimate_loss sees it: batches from these generators, the training weights (float16 too). */
    public LossEstimator.Model evalModel(RandomGenerator trainRng, RandomGenerator valRng) {
        return new EvalModel(cfg, parts, model, precision, data.train(), data.val(), trainRng, valRng);
    }

    IllegalStateException diverged(String what, double value, double lr) {
        return TrainingMessages.diverged(what, value, lr, iterNum, cfg, outDir);
    }

    /** Whether {@link #requestStop} was called: the steps stop at their next boundary. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** The loop's steps are at iteration iter (for messages, and note()). */
    void at(int iter) {
        iterNum = iter;
    }

    /**
     * Asks a running {@link #run()} to stop at the next step boundary (between optimizer steps, or before an
     * evaluation): it logs what was done and returns, with {@link #stopped()} true. Safe to call from another
     * thread (the command line's Ctrl-C handler).
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Whether the last run() ended early on {@link #requestStop}. */
    public boolean stopped() {
        return stopped;
    }

    /** The iteration of the checkpoint this run saved last or resumed from; -1 when it has none. */
    public int checkpointIter() {
        return checkpointIter;
    }

    /** Tells the listener about every iteration and evaluation of the runs to come (rank 0's only). */
    public void listen(TrainingListener listener) {
        if (master) {
            listeners.add(listener);
        }
    }

    /** Hands a text the run made (its samples) to the listeners: a tracker keeps it beside the curves. */
    public void note(String tag, String text) {
        listeners.text(Math.max(iterNum - 1, 0), tag, text); // after run(): its last iteration
    }

    /** Where log lines go (the notebooks may redirect them); rank 0's only. */
    public void setOut(PrintStream out) {
        if (master) {
            this.out = out;
        }
    }

    /** A copy of the trainer's settings (after resume: the checkpoint's architecture). */
    public TrainConfig config() { return cfg.copy(); }
    /** A LoRA run's adapters (null when every weight trains). */
    public LoraAdapters lora() { return state.lora(); }
    /** What the optimizer updates: the model's parameters, or a LoRA run's adapters. */
    public Map<String, NDArray> trainable() { return state.trainable(); }
    public GPT model() { return model; }
    public Optimizer optimizer() { return optimizer; }
    public LossScaler scaler() { return scaler; }
    public Collective ddp() { return ddp; }
    public TrainingLog log() { return log; }
    public CharTokenizer tokenizer() { return data.tokenizer(); }
    public TokenFile trainData() { return data.train(); }
    public TokenFile valData() { return data.val(); }
    public Device device() { return device; }
    public Path outDir() { return outDir; }
    /** Micro-steps per optimizer step on this rank: gradient_accumulation_steps / world size. */
    public int accumulation() { return accumulation; }
    public int iterNum() { return iterNum; }
    public double bestValLoss() { return bestValLoss; }
    public boolean isMaster() { return master; }

    @Override
    public void close() {
        try {
            outDirLock.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not release " + outDir.resolve(OutDirLock.FILE_NAME), e);
        }
        precision.close();
        scaler.close();
        state.close();
        model.close();
        ddp.close();
    }
}

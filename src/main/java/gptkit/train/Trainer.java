package gptkit.train;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.engine.Engines;
import gptkit.amp.LossScaler;
import gptkit.amp.Precision;
import gptkit.autograd.Autograd;
import gptkit.config.Footprint;
import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.data.Prepare;
import gptkit.data.TokenFile;
import gptkit.ddp.Collective;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.model.LoraAdapters;
import gptkit.optim.Optimizer;
import gptkit.plot.Charts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * nanoGPT's train.py as an object: build it from a config (and, if you like, your own
 * {@link Parts}), call {@link #run()}. The constructor is train.py's setup (DDP, data, init
 * from scratch or resume, model, optimizer, scaler); {@link #run()} is its loop.
 */
public final class Trainer implements AutoCloseable {
    private final TrainConfig cfg; // a validated, frozen copy: the caller's object is never changed
    private final Parts parts;
    private final Collective ddp;
    private final boolean master;
    private final int accumulation; // micro-steps per optimizer step on this rank
    private final Device device;
    private final Path outDir;
    private final CharTokenizer tokenizer;
    private final TokenFile trainData;
    private final TokenFile valData;
    private final DataIdentity.Hashes dataHashes; // recorded in each checkpoint: what it was trained on
    private final GPT model;
    private final LoraAdapters lora; // null unless lora_rank > 0: then only its adapters train, the base is frozen
    private final String baseSha256; // a LoRA run's base weights, as its checkpoint names them
    private final String baseDir; // where they were read from
    // The trainable parameters: what the optimizer updates and Precision hands gradients of (so what
    // unscaling, clipping and DDP averaging see). The model's parameters, or a LoRA run's adapters.
    private final Map<String, NDArray> trainable;
    private final Precision precision;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final LossScaler scaler;
    private final TrainingLog log;
    private final AutoCloseable outDirLock; // one training process per out_dir
    private int iterNum;
    private int checkpointIter = -1; // the iteration of out_dir's checkpoint of this run (saved or resumed from)
    private volatile boolean stopRequested; // Ctrl-C: stop at the next step boundary
    private boolean stopped;
    private double bestValLoss = 1e9;
    private EstimateLoss.Losses lastEval;
    private PrintStream out;
    private final List<TrainingListener> listeners = new ArrayList<>();

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
        this.out = out;
        this.cfg = config.copy();
        cfg.validate(); // every rule, before any connection or native call
        cfg.freeze();
        this.parts = parts;
        // DDP: which rank is this process, and its share of the micro-steps
        ddp = parts.ddp().create(cfg);
        try { // the total split over the ranks; a resume on a world size it cannot split stops here
            accumulation = WorldSizeChange.accumulationPerRank(cfg, ddp.worldSize(), parts.checkpoint());
        } catch (IllegalArgumentException e) {
            ddp.close();
            throw e;
        }
        master = ddp.rank() == 0;
        if (!master) {
            out = new PrintStream(OutputStream.nullOutputStream()); // rank 0 speaks for all
            this.out = out; // the field too: the parameter shadows it, and run() prints through the field
        }
        device = Engines.device(cfg.device);
        outDir = master ? OutDir.check(cfg.out_dir) : Path.of(cfg.out_dir); // refuse an unwritable out_dir now
        if (master) {
            OutDirLock.refuseIfHeld(outDir); // another process trains there: say so before judging its files
        }
        // data
        Path dataDir = Path.of(cfg.data_dir, cfg.dataset);
        if (!Files.exists(dataDir.resolve("train.bin"))) {
            Prepare.prepare(cfg.dataset, Path.of(cfg.data_dir));
        }
        tokenizer = CharTokenizer.load(dataDir.resolve("vocab.txt"));
        trainData = TokenFile.open(dataDir.resolve("train.bin"));
        valData = TokenFile.open(dataDir.resolve("val.bin"));
        // model init: from scratch, the architecture and weights of out_dir's checkpoint (resume), or
        // those of another run's checkpoint to fine-tune (init_from=DIR: its weights only, a fresh optimizer,
        // iteration 0; a LoRA run resumes on the base its lora.bin names)
        boolean loraRun = cfg.lora_rank > 0;
        boolean resume = cfg.init_from.equals("resume");
        LoraCheckpoint.Loaded loraCkpt = resume && loraRun
                ? LoraCheckpoint.load(outDir.resolve(LoraCheckpoint.FILE_NAME)) : null;
        baseDir = loraCkpt != null ? loraCkpt.header().base_dir
                : resume || cfg.init_from.equals("scratch") ? null : cfg.init_from;
        Checkpoint.Loaded ckpt = resume && !loraRun ? parts.checkpoint().load(outDir.resolve(Checkpoint.FILE_NAME))
                : baseDir != null ? parts.checkpoint().load(FineTune.baseCheckpoint(baseDir, outDir)) : null;
        GPTConfig args = resume && !loraRun ? resumedArgs(ckpt)
                : baseDir != null ? FineTune.baseArgs(ckpt, baseDir, cfg, tokenizer, outDir, out)
                : scratchArgs();
        requireTokens(args.block_size());
        Footprint.training(args.block_size(), args.vocab_size(), args.n_layer(), args.n_head(), args.n_embd(),
                args.bias(), cfg.batch_size, !loraRun, cfg.dtype).check(device.isGpu() ? 0 : Footprint.physicalMemory());
        dataHashes = DataIdentity.check(dataDir, cfg, loraCkpt != null ? loraCkpt.header().data
                : resume ? ckpt.header().data : null, outDir, out); // resume on other data: refused
        // every rank builds the same weights from the same seed: DDP starts from identical replicas
        model = new GPT(args, device, cfg.seed);
        out.printf("number of parameters: %.2fM%n", model.numParams(true) / 1e6);
        if (baseDir != null) {
            Checkpoint.copyInto(ckpt, model.params(), ""); // the base's weights; its optimizer state is not used
        }
        if (loraRun) {
            model.requireGradients(false); // frozen: backward records no gradient for the base
            lora = new LoraAdapters(args, device, cfg.lora_rank, cfg.lora_alpha, List.of(cfg.lora_targets.split(",")),
                    cfg.seed, parts.lora());
            model.useLora(parts.lora(), cfg.lora_alpha);
            baseSha256 = LoraCheckpoint.weightsSha256(model.params());
            if (loraCkpt != null) {
                LoraCheckpoint.checkBase(outDir.resolve(LoraCheckpoint.FILE_NAME), loraCkpt.header(), args,
                        baseSha256, baseDir);
            }
            trainable = lora.params();
            long all = model.numParams(false);
            out.printf("LoRA rank %d, alpha %s on %s: %,d trainable parameters (%.2f%% of the base's %,d)%n",
                    cfg.lora_rank, cfg.lora_alpha, cfg.lora_targets, lora.numParams(), 100.0 * lora.numParams() / all,
                    all);
        } else {
            lora = null;
            baseSha256 = null;
            trainable = model.params();
        }
        optimizer = parts.optimizer().create(trainable, cfg);
        out.print(optimizer.describe());
        schedule = parts.getLr().create(cfg);
        scaler = parts.gradScaler().create(cfg);
        log = loraCkpt != null ? restoreLora(loraCkpt) : resume ? restore(ckpt) : new TrainingLog();
        // after the weights are final
        precision = Precision.of(cfg.dtype, trainable, loraRun ? model.params() : Map.of());
        // last, so a constructor that fails holds no lock; only rank 0 writes into out_dir
        outDirLock = master ? OutDirLock.acquire(outDir) : () -> { };
        if (master) { // holding the lock: no live save of another trainer can be among them
            OutDir.removeStaleTemps(outDir, out);
        }
        Tracking.attach(this, out); // --tracking=tensorboard: rank 0 writes event files into out_dir
    }

    private GPTConfig scratchArgs() throws IOException {
        out.println("Initializing a new model from scratch");
        if (master) { // a fresh run would overwrite another dataset's checkpoint at its first save (rank 0 saves)
            OutDir.checkOwnership(outDir, cfg.dataset, tokenizer.chars(), cfg.overwrite_out_dir);
        }
        return new GPTConfig(cfg.block_size, tokenizer.vocabSize(), cfg.n_layer, cfg.n_head, cfg.n_embd,
                cfg.dropout, cfg.bias);
    }

    /** Like train.py: the architecture comes from the checkpoint, dropout from the config. */
    private GPTConfig resumedArgs(Checkpoint.Loaded ckpt) {
        out.println("Resuming training from " + outDir);
        GPTConfig saved = ckpt.header().model_args;
        Map<String, Object> want = Map.of("n_layer", saved.n_layer(), "n_head", saved.n_head(),
                "n_embd", saved.n_embd(), "block_size", saved.block_size(), "bias", saved.bias());
        Map<String, Object> have = cfg.toMap();
        for (String key : List.of("n_layer", "n_head", "n_embd", "block_size", "bias")) {
            if (!want.get(key).equals(have.get(key))) {
                throw new IllegalArgumentException(String.format("--%s=%s contradicts the checkpoint in %s, which "
                        + "has %s=%s: resume with the checkpoint's architecture (--%s=%s, or the config it was "
                        + "trained with), or train from scratch into another --out_dir.", key, have.get(key), outDir,
                        key, want.get(key), key, want.get(key)));
            }
        }
        if (ckpt.header().vocab != null && !ckpt.header().vocab.equals(tokenizer.chars())) {
            throw new IllegalArgumentException("The checkpoint in " + outDir + " was trained on a different "
                    + "vocabulary than data/" + cfg.dataset + ": resume with the dataset it was trained on.");
        }
        return new GPTConfig(saved.block_size(), saved.vocab_size(), saved.n_layer(), saved.n_head(),
                saved.n_embd(), cfg.dropout, saved.bias());
    }

    /** Resume a LoRA run: its adapters, their AdamW state, iteration and best val loss, the log. */
    private TrainingLog restoreLora(LoraCheckpoint.Loaded ckpt) throws IOException {
        try (gptkit.autograd.NoGrad ng = gptkit.autograd.NoGrad.open()) {
            lora.params().forEach((name, p) -> gptkit.autograd.Tensors.copyInto(p, ckpt.tensors().get(name)));
            optimizer.state().forEach((name, p) -> {
                float[] v = ckpt.tensors().get("optimizer." + name);
                if (v == null) {
                    throw new IllegalArgumentException("the LoRA checkpoint has no optimizer." + name);
                }
                gptkit.autograd.Tensors.copyInto(p, v);
            });
        }
        optimizer.setStepCount(ckpt.header().optimizer_step);
        iterNum = ckpt.header().iter_num;
        checkpointIter = iterNum;
        bestValLoss = ckpt.header().best_val_loss;
        TrainingLog restored = TrainingLog.load(outDir.resolve("log.csv"));
        restored.truncateFrom(iterNum);
        return restored;
    }

    private void requireTokens(int blockSize) {
        for (TokenFile f : new TokenFile[] {trainData, valData}) {
            if (f.length() <= blockSize) {
                throw new IllegalArgumentException(String.format(
                        "%s has %,d tokens, too few for block_size=%d. Use a larger corpus or a smaller --block_size.",
                        f.path(), f.length(), blockSize));
            }
        }
    }

    /** Resume: weights, optimizer state, iteration, best val loss, scaler, and the log so far. */
    private TrainingLog restore(Checkpoint.Loaded ckpt) throws IOException {
        Checkpoint.copyInto(ckpt, model.params(), "");
        Checkpoint.copyInto(ckpt, optimizer.state(), "optimizer.");
        optimizer.setStepCount(ckpt.header().optimizer_step);
        iterNum = ckpt.header().iter_num; // optimizer steps: the same count on any world size (WorldSizeChange)
        checkpointIter = iterNum;
        String worldSizeChange = WorldSizeChange.resumeLine(ckpt.header(), cfg, ddp.worldSize());
        if (worldSizeChange != null) {
            out.println(worldSizeChange);
        }
        bestValLoss = ckpt.header().best_val_loss;
        scaler.restore(new LossScaler.State(ckpt.header().scaler_scale, ckpt.header().scaler_growth_tracker,
                ckpt.header().skipped_steps));
        TrainingLog restored = TrainingLog.load(outDir.resolve("log.csv"));
        restored.truncateFrom(iterNum);
        return restored;
    }

    /** Runs the loop part (train.py's while loop) until max_iters, inclusive as train.py does. */
    public Result run() throws IOException {
        long tokensPerIter = (long) accumulation * ddp.worldSize() * cfg.batch_size * cfg.block_size;
        out.printf("tokens per iteration will be: %,d%n", tokensPerIter);
        Steps steps = new Steps(tokensPerIter);
        try (Progress progress = Progress.of(cfg.progress && master, cfg.max_iters + 1 - iterNum, out)) {
            steps.progress = progress;
            steps.prefetch(iterNum, 0); // fetch the very first batch
            steps.t0 = System.nanoTime();
            parts.trainLoop().run(steps);
        } catch (Stop e) {
            stopped = true; // Ctrl-C: the steps done so far are logged below
        } catch (EngineException e) {
            throw outOfMemory(e, tokensPerIter);
        } finally {
            steps.close();
            if (master) {
                listeners.forEach(TrainingListener::finished);
            }
        }
        if (steps.lastIter >= 0) {
            iterNum = steps.lastIter + 1;
        }
        if (master) {
            saveLog();
        }
        return new Result(iterNum, bestValLoss, lastEval, steps.lastLoss, steps.dt * 1000, tokensPerIter / steps.dt);
    }

    /**
     * The trainer as the loop part sees it. It owns the memory of each micro-step (closed at the
     * next forward or at gradients()) and of each optimizer step (closed at zeroGrad), so a
     * loop written without NDScope frees what it made, as train.py's does by going out of scope.
     */
    private final class Steps implements Loop.Steps, AutoCloseable {
        private final long tokensPerIter;
        private final Map<Float, NDArray> constants = new HashMap<>();
        Progress progress;
        long t0;
        double dt = Double.NaN;
        float lastLoss = Float.NaN;
        int lastIter = -1;
        private int localIter; // number of iterations in the lifetime of this process
        private double runningMfu = -1.0;
        private NDList xy; // the batch the next micro-step trains on, and its (iteration, micro-step)
        private int xyIter;
        private int xyMicro;
        private int micro;
        private NDScope microScope;
        private Autograd recording;
        private NDArray microLoss;
        private NDScope stepScope;
        private long skippedBefore;
        private final ThreadGovernor governor = ThreadGovernor.forRun(!device.isGpu(), ddp.worldSize(), out);

        Steps(long tokensPerIter) {
            this.tokensPerIter = tokensPerIter;
        }

        void prefetch(int iter, int m) {
            NDList next = trainBatch(iter, m);
            if (xy != null) {
                xy.close();
            }
            xy = next;
            xyIter = iter;
            xyMicro = m;
        }

        @Override
        public TrainConfig config() {
            return cfg;
        }

        @Override
        public int iterNum() {
            return iterNum;
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
            return schedule;
        }

        @Override
        public Optimizer optimizer() {
            return optimizer;
        }

        @Override
        public LossScaler scaler() {
            return scaler;
        }

        @Override
        public Collective ddp() {
            return ddp;
        }

        @Override
        public GradClipper clipGradNorm() {
            return parts.clipGradNorm();
        }

        @Override
        public void evaluate(int iter, double lr) throws IOException {
            stopIfRequested();
            iterNum = iter;
            evaluateAndCheckpoint(lr);
        }

        @Override
        public NDArray forward(int iter, int m) {
            if (m == 0) {
                stopIfRequested(); // between optimizer steps: a step is never cut in half
            }
            closeMicroStep();
            iterNum = iter;
            lastIter = iter;
            micro = m;
            if (xy == null || xyIter != iter || xyMicro != m) {
                prefetch(iter, m);
            }
            microScope = new NDScope();
            recording = Autograd.record();
            JniUtils.setSeed(Seeds.mix(cfg.seed, Seeds.DROPOUT, iter, m, ddp.rank())); // dropout masks
            microLoss = parts.crossEntropy().loss(model.forward(precision.weights(), xy.get(0)), xy.get(1));
            return microLoss;
        }

        @Override
        public NDArray constant(float value) {
            return constants.computeIfAbsent(value, v -> {
                NDArray c = model.manager().create(v); // owns its memory as long as the trainer
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
            NDList next = micro + 1 < accumulation ? trainBatch(iterNum, micro + 1) : trainBatch(iterNum + 1, 0);
            Autograd.backward(loss);
            xy.close(); // only now: backward reads the targets again
            xy = next;
            xyIter = micro + 1 < accumulation ? iterNum : iterNum + 1;
            xyMicro = micro + 1 < accumulation ? micro + 1 : 0;
        }

        @Override
        public Map<String, NDArray> gradients() {
            float lossf = microLoss == null ? Float.NaN : microLoss.getFloat();
            if (!Float.isFinite(lossf)) {
                throw diverged("the loss", lossf, schedule.lr(iterNum));
            }
            closeMicroStep();
            closeStep();
            skippedBefore = scaler.state().skippedSteps();
            stepScope = new NDScope();
            return precision.gradients();
        }

        @Override
        public void zeroGrad() {
            precision.zeroGrad();
            precision.afterStep();
            closeStep();
            if (scaler.state().skippedSteps() > skippedBefore) {
                out.printf("iter %d: gradients overflowed in float16, step skipped%s%n", iterNum, scaler.describe());
            }
            long t1 = System.nanoTime();
            dt = (t1 - t0) / 1e9;
            t0 = t1;
            localIter++;
            governor.stepped(); // fewer CPU threads while other programs keep the cores busy
            progress.step();
            if (master) {
                for (TrainingListener l : listeners) {
                    l.iteration(iterNum, cfg.max_iters, dt * 1000, tokensPerIter / dt);
                }
            }
        }

        @Override
        public void log(int iter, double lr, float loss, float gradNorm) {
            lastLoss = loss;
            if (localIter > 5) { // let the training loop settle a bit
                double mfu = Mfu.estimateMfu(model, cfg.batch_size * accumulation, dt, cfg.peak_flops);
                runningMfu = runningMfu == -1.0 ? mfu : 0.9 * runningMfu + 0.1 * mfu;
            }
            progress.logged(String.format("iter %d: loss %.4f, lr %.2e, time %.2fms, %,.0f tok/s, mfu %.2f%%%s",
                    iter, loss, lr, dt * 1000, tokensPerIter / dt, runningMfu * 100, scaler.describe()), loss);
            log.step(iter, lr, loss, dt * 1000, tokensPerIter / dt, gradNorm);
            listeners.forEach(l -> l.logged(iter, lr, loss, gradNorm, dt * 1000, tokensPerIter / dt, runningMfu));
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
            governor.close();
            closeMicroStep();
            closeStep();
            microLoss = null;
            if (xy != null) {
                xy.close();
            }
            constants.values().forEach(NDArray::close);
        }
    }

    /** Thrown at a step boundary after {@link #requestStop}; run() ends there. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super("stop requested", null, false, false);
        }
    }

    private void stopIfRequested() {
        if (stopRequested) {
            throw new Stop();
        }
    }

    /**
     * Asks a running {@link #run()} to stop at the next step boundary (between optimizer steps, or
     * before an evaluation): it logs what was done and returns, with {@link #stopped()} true. Safe to
     * call from another thread (the command line's Ctrl-C handler).
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

    /**
     * After run(): why this run wrote no checkpoint (its val loss never improved on iteration 0's, or
     * it evaluated only at iteration 0), as a warning line with what to try; null when it wrote one,
     * resumed from one, or only evaluated.
     */
    public String noCheckpointWarning() {
        if (checkpointIter >= 0 || cfg.eval_only || !master) {
            return null;
        }
        String file = lora != null ? LoraCheckpoint.FILE_NAME : Checkpoint.FILE_NAME;
        String next = lora != null ? "nothing to merge or sample" : "nothing to sample or resume";
        if (cfg.max_iters < cfg.eval_interval) {
            return String.format("warning: no %s written in %s: checkpoints are saved at evaluations, and there was "
                    + "none after iteration 0 (eval_interval=%d > max_iters=%d); %s. Lower --eval_interval or raise "
                    + "--max_iters.", file, outDir, cfg.eval_interval, cfg.max_iters, next);
        }
        return String.format("warning: no %s written in %s: the val loss never improved on iteration 0's %.4f, and "
                + "a checkpoint is saved only when it does (always_save_checkpoint=false); %s. Try another "
                + "--learning_rate, more --max_iters, or --always_save_checkpoint=true.", file, outDir, bestValLoss,
                next);
    }

    /** What a failed save leaves, for its message. */
    private String untouched() {
        return checkpointIter >= 0 ? "The checkpoint of iteration " + checkpointIter + " in " + outDir + " is "
                + "untouched: resume from it with --init_from=resume once there is room."
                : "This run has saved no checkpoint yet.";
    }

    /** estimate_loss, and a checkpoint when val improved (or always_save_checkpoint). Rank 0 only. */
    private void evaluateAndCheckpoint(double lr) throws IOException {
        lastEval = parts.estimateLoss().estimateLoss(evalModel(Seeds.rng(cfg.seed, Seeds.TRAIN, iterNum, -1),
                Seeds.rng(cfg.seed, Seeds.VAL, iterNum, -1)), cfg.eval_iters);
        out.printf("step %d: train loss %.4f, val loss %.4f%n", iterNum, lastEval.train(), lastEval.val());
        log.eval(iterNum, lr, lastEval.train(), lastEval.val());
        for (TrainingListener l : listeners) {
            l.evaluated(iterNum, lastEval.train(), lastEval.val());
        }
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
        saveLog();
    }

    /** The batch this rank trains on at (iteration, micro-step): a stream of its own per rank. */
    private NDList trainBatch(int iter, int micro) {
        NDList batch = parts.getBatch().getBatch(trainData, cfg.block_size, cfg.batch_size,
                Seeds.rng(cfg.seed, Seeds.TRAIN, iter, micro, ddp.rank()), model.manager());
        NDScope.unregister(batch); // it outlives the micro-step that fetched it
        return batch;
    }

    /**
     * The model as estimate_loss sees it: each loss(split) draws a fresh batch of that split
     * from the given generator and computes its loss with the training weights (float16 too).
     * Like model(X, Y) in train.py it records an autograd graph unless called inside NoGrad,
     * as estimate_loss does.
     */
    public LossEstimator.Model evalModel(RandomGenerator trainRng, RandomGenerator valRng) {
        return new LossEstimator.Model() {
            @Override
            public void train(boolean on) {
                model.train(on);
            }

            @Override
            public double loss(String split) {
                TokenFile data = switch (split) {
                    case "train" -> trainData;
                    case "val" -> valData;
                    default -> throw new IllegalArgumentException("split must be 'train' or 'val', got " + split);
                };
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDList b = parts.getBatch().getBatch(data, cfg.block_size, cfg.batch_size,
                            split.equals("train") ? trainRng : valRng, model.manager());
                    return parts.crossEntropy().loss(model.forward(precision.weights(), b.get(0)), b.get(1)).getFloat();
                }
            }
        };
    }

    /** libtorch's allocation failure as one clear message with what to change; other errors as they are. */
    RuntimeException outOfMemory(EngineException e, long tokensPerIter) {
        String m = String.valueOf(e.getMessage());
        if (!m.contains("out of memory") && !m.contains("can't allocate memory") && !m.contains("not enough memory")) {
            return e;
        }
        String what = m.length() > 160 ? m.substring(0, 160) + "..." : m;
        return new IllegalStateException(String.format("the %s ran out of memory at iteration %d (libtorch: %s). "
                + "Use less memory per micro-step: a smaller --batch_size (now %d) with a larger "
                + "--gradient_accumulation_steps keeps the %,d tokens per iteration; or a smaller --block_size "
                + "or model%s. The last checkpoint in %s is untouched.", device.isGpu() ? "GPU" : "CPU", iterNum,
                what, cfg.batch_size, tokensPerIter, device.isGpu() && cfg.dtype.equals("float32")
                        ? "; --dtype=float16 also halves the activations" : "", outDir), e);
    }

    private IllegalStateException diverged(String what, double value, double lr) {
        return new IllegalStateException(String.format("%s became %s at iteration %d: training diverged. "
                + "Lower --learning_rate (now %g) or keep --grad_clip on%s; the last good checkpoint in %s "
                + "is untouched.", what, value, iterNum, lr, cfg.dtype.equals("float16")
                ? " (in float16 activations can overflow: try --dtype=float32)" : "", outDir));
    }

    /** Writes ckpt.bin (atomically) with everything resume needs. Rank 0 only. */
    public void saveCheckpoint() throws IOException {
        if (!master) {
            return;
        }
        if (lora != null) {
            saveLoraCheckpoint();
            return;
        }
        Checkpoint.Header h = new Checkpoint.Header();
        h.model_args = model.config();
        h.iter_num = iterNum;
        h.best_val_loss = bestValLoss;
        h.optimizer_step = optimizer.stepCount();
        h.config = cfg.toMap();
        h.vocab = tokenizer.chars();
        h.data = dataHashes;
        h.world_size = ddp.worldSize(); // the split it was trained with, for a resume on another world size
        h.gradient_accumulation_steps = cfg.gradient_accumulation_steps;
        h.gradient_accumulation_steps_per_rank = accumulation;
        LossScaler.State s = scaler.state();
        h.scaler_scale = s.scale();
        h.scaler_growth_tracker = s.growthTracker();
        h.skipped_steps = s.skippedSteps();
        Map<String, NDArray> tensors = new LinkedHashMap<>(model.params());
        optimizer.state().forEach((k, v) -> tensors.put("optimizer." + k, v));
        try {
            parts.checkpoint().save(outDir.resolve(Checkpoint.FILE_NAME), h, tensors);
        } catch (IOException e) {
            throw OutDir.diskFull(e, outDir, Checkpoint.FILE_NAME + " of iteration " + iterNum, bytes(tensors),
                    untouched());
        }
        checkpointIter = iterNum;
    }

    /** About what a checkpoint of these tensors takes on disk (float32), for a full disk's message. */
    private static long bytes(Map<String, NDArray> tensors) {
        return tensors.values().stream().mapToLong(a -> 4 * a.size()).sum();
    }

    /** lora.bin: the adapters and their AdamW state, and which base they belong to. */
    private void saveLoraCheckpoint() throws IOException {
        LoraCheckpoint.Header h = new LoraCheckpoint.Header();
        h.lora_rank = lora.rank();
        h.lora_alpha = lora.alpha();
        h.lora_targets = lora.targets();
        h.base(model.config(), baseSha256, baseDir);
        h.iter_num = iterNum;
        h.best_val_loss = bestValLoss;
        h.optimizer_step = optimizer.stepCount();
        h.config = cfg.toMap();
        h.data = dataHashes;
        Map<String, NDArray> tensors = new LinkedHashMap<>(lora.params());
        optimizer.state().forEach((k, v) -> tensors.put("optimizer." + k, v));
        try {
            LoraCheckpoint.save(outDir.resolve(LoraCheckpoint.FILE_NAME), h, tensors);
        } catch (IOException e) {
            throw OutDir.diskFull(e, outDir, LoraCheckpoint.FILE_NAME + " of iteration " + iterNum, bytes(tensors),
                    untouched());
        }
        checkpointIter = iterNum;
    }

    /** A LoRA run's adapters (null when every weight trains). */
    public LoraAdapters lora() {
        return lora;
    }

    /** What the optimizer updates: the model's parameters, or a LoRA run's adapters. */
    public Map<String, NDArray> trainable() {
        return trainable;
    }

    private void saveLog() throws IOException {
        try {
            log.save(outDir.resolve("log.csv"));
            if (cfg.charts) {
                Charts.saveAll(log.table(), outDir);
            }
        } catch (IOException e) {
            throw OutDir.diskFull(e, outDir, "log.csv and the charts", -1, untouched());
        }
    }

    /** Where log lines go (the notebooks may redirect them); rank 0's only. */
    /** Tells the listener about every iteration and evaluation of the runs to come (rank 0). */
    public void listen(TrainingListener listener) {
        listeners.add(listener);
    }

    /** Hands a text the run made (its samples) to the listeners: a tracker keeps it beside the curves. */
    public void note(String tag, String text) {
        listeners.forEach(l -> l.text(Math.max(iterNum - 1, 0), tag, text)); // after run(): its last iteration
    }

    public void setOut(PrintStream out) {
        if (master) {
            this.out = out;
        }
    }

    /** A copy of the trainer's settings (after resume: the checkpoint's architecture). */
    public TrainConfig config() {
        return cfg.copy();
    }

    public GPT model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public LossScaler scaler() {
        return scaler;
    }

    public Collective ddp() {
        return ddp;
    }

    public TrainingLog log() {
        return log;
    }

    public CharTokenizer tokenizer() {
        return tokenizer;
    }

    public TokenFile trainData() {
        return trainData;
    }

    public TokenFile valData() {
        return valData;
    }

    public Device device() {
        return device;
    }

    public Path outDir() {
        return outDir;
    }

    /** Micro-steps per optimizer step on this rank: gradient_accumulation_steps / world size. */
    public int accumulation() {
        return accumulation;
    }

    public int iterNum() {
        return iterNum;
    }

    public double bestValLoss() {
        return bestValLoss;
    }

    public boolean isMaster() {
        return master;
    }

    @Override
    public void close() {
        try {
            outDirLock.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not release " + outDir.resolve(OutDirLock.FILE_NAME), e);
        }
        precision.close();
        scaler.close();
        if (lora != null) {
            lora.close();
        }
        model.close();
        ddp.close();
    }
}

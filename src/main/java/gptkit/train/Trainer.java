package gptkit.train;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.amp.GradScaler;
import gptkit.ddp.Collective;
import gptkit.ddp.Ddp;
import gptkit.Engines;
import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.data.GetBatch;
import gptkit.data.Prepare;
import gptkit.data.TokenFile;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.optim.AdamW;
import gptkit.plot.Charts;
import me.tongfei.progressbar.ProgressBar;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nanoGPT's train.py as an object: build it from a config, call {@link #run()}. The loop is
 * train.py's: set lr, evaluate and checkpoint every eval_interval, accumulate gradients over
 * micro-steps (prefetching the next batch), average them across DDP ranks, clip, step, log.
 * With dtype=float16 it trains in mixed precision with a {@link GradScaler}.
 */
public final class Trainer implements AutoCloseable {
    public final TrainConfig cfg;
    public final Device device;
    public final CharTokenizer tokenizer;
    public final TokenFile trainData;
    public final TokenFile valData;
    public final GPT model;
    public final AdamW optimizer;
    public final TrainingLog log;
    /** float16 only: the loss scaler; null in float32. */
    public final GradScaler scaler;
    /** DDP only: the process group; null in a single process. */
    public final Collective ddp;
    public final int rank;
    public final int worldSize;
    /** Micro-steps per optimizer step on this rank: gradient_accumulation_steps / world size. */
    public final int accumulation;
    private final boolean master;
    private final Path outDir;
    private final OutDirLock outDirLock; // reliability: one training process per out_dir (issue 10)
    private final NDArray accumDivisor; // owns its memory: used inside the graph
    private int iterNum;
    private double bestValLoss = 1e9;
    private PrintStream out = System.out;
    private BatchSource batches = this::getBatch;

    /** What a run ended with. */
    public record Result(int iterNum, double bestValLoss, EstimateLoss.Losses lastEval, double lastLoss,
                         double msPerIter, double tokensPerSec) {}

    /** A trainer for this process: a DDP rank when torchrun's variables are set. */
    public Trainer(TrainConfig cfg) throws IOException {
        this(cfg, connect(cfg));
    }

    private static Collective connect(TrainConfig cfg) {
        validate(cfg); // refuse a bad config before opening any connection
        return Ddp.fromEnv(cfg.ddp_timeout);
    }

    /** A trainer that is one rank of the given group (null: a single process). */
    public Trainer(TrainConfig cfg, Collective ddp) throws IOException {
        this.cfg = cfg;
        validate(cfg);
        this.ddp = ddp;
        this.rank = ddp == null ? 0 : ddp.rank();
        this.worldSize = ddp == null ? 1 : ddp.worldSize();
        this.master = rank == 0;
        this.accumulation = Ddp.accumulationPerRank(cfg.gradient_accumulation_steps, worldSize);
        if (!master) {
            out = new PrintStream(OutputStream.nullOutputStream()); // rank 0 speaks for all
        }
        this.device = Engines.device(cfg.device);
        if (master) { OutDir.check(cfg.out_dir); } // reliability: refuse an empty or unwritable out_dir (issue 10)
        this.outDir = Path.of(cfg.out_dir);
        Path dataDir = Path.of(cfg.data_dir, cfg.dataset);
        if (!Files.exists(dataDir.resolve("train.bin"))) {
            Prepare.prepare(cfg.dataset, Path.of(cfg.data_dir));
        }
        tokenizer = CharTokenizer.load(dataDir.resolve("vocab.txt"));
        trainData = TokenFile.open(dataDir.resolve("train.bin"));
        valData = TokenFile.open(dataDir.resolve("val.bin"));
        for (TokenFile f : new TokenFile[] {trainData, valData}) {
            if (f.length() <= cfg.block_size) {
                throw new IllegalArgumentException(String.format(
                        "%s has %,d tokens, too few for block_size=%d. Use a larger corpus or a smaller --block_size.",
                        f.path(), f.length(), cfg.block_size));
            }
        }
        Checkpoint.Loaded ckpt = null;
        GPTConfig args;
        if (cfg.init_from.equals("scratch")) {
            out.println("Initializing a new model from scratch");
            args = new GPTConfig(cfg.block_size, tokenizer.vocabSize(), cfg.n_layer, cfg.n_head, cfg.n_embd,
                    cfg.dropout, cfg.bias);
        } else if (cfg.init_from.equals("resume")) {
            out.println("Resuming training from " + outDir);
            ckpt = Checkpoint.load(outDir.resolve(Checkpoint.FILE_NAME));
            GPTConfig saved = ckpt.header().model_args;
            // like train.py: the architecture comes from the checkpoint, dropout from the config
            args = new GPTConfig(saved.block_size(), saved.vocab_size(), saved.n_layer(), saved.n_head(),
                    saved.n_embd(), cfg.dropout, saved.bias());
            if (ckpt.header().vocab != null && !ckpt.header().vocab.equals(tokenizer.chars())) {
                throw new IllegalArgumentException("The checkpoint in " + outDir + " was trained on a different "
                        + "vocabulary than data/" + cfg.dataset + ": resume with the dataset it was trained on.");
            }
            cfg.block_size = args.block_size();
        } else {
            throw new IllegalArgumentException("init_from must be 'scratch' or 'resume', got '" + cfg.init_from + "'");
        }
        // every rank builds the same weights from the same seed: DDP starts from identical replicas
        model = new GPT(args, device, cfg.seed);
        out.printf("number of parameters: %.2fM%n", model.numParams(true) / 1e6);
        optimizer = new AdamW(AdamW.configureOptimizers(model.params(), cfg.weight_decay, master),
                cfg.learning_rate, cfg.beta1, cfg.beta2, 1e-8);
        scaler = cfg.dtype.equals("float16") ? new GradScaler() : null;
        if (ckpt != null) {
            Checkpoint.copyInto(ckpt, model.params(), "");
            Checkpoint.copyInto(ckpt, optimizer.expAvg(), "optimizer.exp_avg.");
            Checkpoint.copyInto(ckpt, optimizer.expAvgSq(), "optimizer.exp_avg_sq.");
            optimizer.setStepCount(ckpt.header().optimizer_step);
            iterNum = ckpt.header().iter_num;
            bestValLoss = ckpt.header().best_val_loss;
            if (scaler != null && ckpt.header().scaler_scale > 0) {
                scaler.restore(ckpt.header().scaler_scale, ckpt.header().scaler_growth_tracker,
                        ckpt.header().skipped_steps);
            }
            log = TrainingLog.load(outDir.resolve("log.csv"));
            log.truncateFrom(iterNum);
        } else {
            log = new TrainingLog();
        }
        if (scaler != null) {
            model.setComputeType(DataType.FLOAT16);
        }
        accumDivisor = model.manager().create((float) accumulation);
        NDScope.unregister(accumDivisor);
        outDirLock = master ? OutDirLock.acquire(outDir) : null; // reliability: last, so a failed constructor holds no lock
    }

    static void validate(TrainConfig c) {
        if (c.gradient_accumulation_steps < 1 || c.batch_size < 1 || c.block_size < 1) {
            throw new IllegalArgumentException("gradient_accumulation_steps, batch_size and block_size must be >= 1");
        }
        if (c.eval_interval < 1 || c.log_interval < 1 || c.eval_iters < 1) {
            throw new IllegalArgumentException("eval_interval, log_interval and eval_iters must be >= 1");
        }
        if (c.decay_lr && c.lr_decay_iters <= c.warmup_iters) {
            throw new IllegalArgumentException(String.format(
                    "lr_decay_iters (%d) must be larger than warmup_iters (%d) when decay_lr is on",
                    c.lr_decay_iters, c.warmup_iters));
        }
        switch (c.dtype) {
            case "float32", "float16" -> { }
            case "bfloat16" -> throw new IllegalArgumentException("dtype=bfloat16 is not supported: DJL 0.35.1's "
                    + "PyTorch engine aborts the JVM on bfloat16 tensors (and toType cuts the autograd graph). "
                    + "Use --dtype=float16 (mixed precision with a GradScaler) or --dtype=float32.");
            default -> throw new IllegalArgumentException("dtype must be float32, float16 or bfloat16, got " + c.dtype);
        }
    }

    /** Where log lines go (the notebooks may redirect them); rank 0's only. */
    public void setOut(PrintStream out) {
        if (master) {
            this.out = out;
        }
    }

    public int iterNum() {
        return iterNum;
    }

    public double bestValLoss() {
        return bestValLoss;
    }

    public Path outDir() {
        return outDir;
    }

    public boolean isMaster() {
        return master;
    }

    /** Where training batches come from: x and y for (iteration, micro-step), e.g. from GetBatch.of. */
    @FunctionalInterface
    public interface BatchSource {
        NDList batch(int iter, int micro);
    }

    /**
     * Trains on batches from elsewhere (a test replaying another trainer's batches, a notebook's
     * own data) instead of get_batch's seeded windows of train.bin.
     */
    public void setBatchSource(BatchSource source) {
        this.batches = source;
    }

    /** The batch a rank trains on at (iteration, micro-step): a stream of its own per rank. */
    public NDList batch(int iter, int micro) {
        NDList xy = batches.batch(iter, micro);
        NDScope.unregister(xy);
        return xy;
    }

    private NDList getBatch(int iter, int micro) {
        return GetBatch.getBatch(trainData, cfg.block_size, cfg.batch_size,
                Seeds.rng(cfg.seed, Seeds.TRAIN, iter, micro, rank), model.manager(), device);
    }

    /** Runs train.py's loop until max_iters (inclusive, as train.py does). */
    public Result run() throws IOException {
        long tokensPerIter = (long) accumulation * worldSize * cfg.batch_size * cfg.block_size;
        out.printf("tokens per iteration will be: %,d%n", tokensPerIter);
        if (ddp != null) {
            out.printf("DDP: %d processes, %d micro-steps each per iteration%n", worldSize, accumulation);
        }
        NDList xy = batch(iterNum, 0);
        long t0 = System.nanoTime();
        int localIter = 0;
        double runningMfu = -1;
        double lastLoss = Double.NaN;
        double lastMs = Double.NaN;
        EstimateLoss.Losses lastEval = null;
        int total = cfg.max_iters + 1 - iterNum;
        try (ProgressBar bar = progressBar(total)) {
            while (true) {
                double lr = GetLr.at(iterNum, cfg);
                optimizer.setLearningRate(lr);
                if (iterNum % cfg.eval_interval == 0 && master) {
                    lastEval = EstimateLoss.estimateLoss(model, trainData, valData, cfg.eval_iters, cfg.batch_size,
                            cfg.block_size, cfg.seed, iterNum);
                    out.printf("step %d: train loss %.4f, val loss %.4f%n", iterNum, lastEval.train(), lastEval.val());
                    log.eval(iterNum, lr, lastEval.train(), lastEval.val());
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
                if (iterNum == 0 && cfg.eval_only) {
                    break;
                }
                float lossf = Float.NaN;
                try (Autograd rec = Autograd.record()) {
                    for (int micro = 0; micro < accumulation; micro++) {
                        try (NDScope scope = new NDScope()) {
                            scope.suppressNotUsedWarning();
                            if (cfg.dropout > 0) {
                                JniUtils.setSeed(Seeds.mix(cfg.seed, Seeds.DROPOUT, iterNum, micro, rank));
                            }
                            NDArray loss = model.loss(xy.get(0), xy.get(1));
                            // scale the loss to account for gradient accumulation
                            NDArray scaled = loss.div(accumDivisor);
                            if (scaler != null) {
                                scaled = scaled.mul(scaler.scaleTensor(model.manager()));
                            }
                            // prefetch the next batch while the device works (train.py's comment)
                            NDList next = micro + 1 < accumulation ? batch(iterNum, micro + 1) : batch(iterNum + 1, 0);
                            Autograd.backward(scaled);
                            xy.close(); // only now: backward reads the targets again
                            xy = next;
                            if (micro == accumulation - 1) {
                                lossf = loss.getFloat();
                            }
                        }
                    }
                }
                if (!Float.isFinite(lossf)) {
                    throw diverged("the loss", lossf, lr);
                }
                float gradNorm = step();
                long t1 = System.nanoTime();
                double dt = (t1 - t0) / 1e9;
                t0 = t1;
                lastLoss = lossf;
                lastMs = dt * 1000;
                if (iterNum % cfg.log_interval == 0 && master) {
                    if (localIter >= 5) { // let the first iterations settle, as train.py does
                        double mfu = Mfu.estimateMfu(model, cfg.batch_size * accumulation, dt,
                                cfg.peak_flops);
                        runningMfu = runningMfu == -1.0 ? mfu : 0.9 * runningMfu + 0.1 * mfu;
                    }
                    String line = String.format("iter %d: loss %.4f, lr %.2e, time %.2fms, %,.0f tok/s, mfu %.2f%%",
                            iterNum, lossf, lr, dt * 1000, tokensPerIter / dt, runningMfu * 100);
                    if (scaler != null) {
                        line += String.format(", scale %.0f, skipped %d", scaler.scale(), scaler.skippedSteps());
                    }
                    if (bar == null) {
                        out.println(line);
                    } else {
                        bar.setExtraMessage(String.format("loss %.4f", lossf));
                    }
                    log.step(iterNum, lr, lossf, dt * 1000, tokensPerIter / dt, gradNorm);
                }
                if (bar != null) {
                    bar.step();
                }
                iterNum++;
                localIter++;
                if (iterNum > cfg.max_iters) {
                    break;
                }
            }
        } catch (EngineException e) {
            throw outOfMemory(e, tokensPerIter);
        } finally {
            xy.close();
        }
        if (master) {
            saveLog();
        }
        double tps = tokensPerIter / (lastMs / 1000);
        return new Result(iterNum, bestValLoss, lastEval, lastLoss, lastMs, tps);
    }

    /**
     * After the last micro-step: the float32 gradients (unscaled in float16), averaged across ranks
     * by one all-reduce, checked for overflow, clipped; then the optimizer step. Returns the norm
     * before clipping (NaN for a step the scaler skipped).
     */
    private float step() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Map<String, NDArray> grads = new LinkedHashMap<>();
            try (NoGrad ng = NoGrad.open()) {
                model.computeParams().forEach((name, w) ->
                        grads.put(name, scaler == null ? w.getGradient() : w.getGradient().toType(DataType.FLOAT32, true)));
            }
            List<NDArray> list = new ArrayList<>(grads.values());
            if (scaler != null) {
                scaler.unscale(list);
            }
            if (ddp != null) {
                Ddp.averageGradients(ddp, list); // inf/NaN of any rank reaches all: they skip together
            }
            if (scaler != null && !GradScaler.allFinite(list)) {
                scaler.update(true); // skip: parameters and optimizer state stay as they are
                Autograd.zeroGrad(model.computeParams().values());
                out.printf("iter %d: gradients overflowed in float16, step skipped, loss scale now %.0f%n",
                        iterNum, scaler.scale());
                return Float.NaN;
            }
            float norm = ClipGradNorm.clipGrads(list, cfg.grad_clip != 0.0 ? cfg.grad_clip : Double.POSITIVE_INFINITY);
            optimizer.step(grads);
            Autograd.zeroGrad(model.computeParams().values());
            if (scaler != null) {
                scaler.update(false);
                model.refreshWorkingCopies();
            }
            return norm;
        }
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
                what, cfg.batch_size, tokensPerIter, device.isGpu() && scaler == null
                        ? "; --dtype=float16 also halves the activations" : "", outDir), e);
    }

    private IllegalStateException diverged(String what, double value, double lr) {
        return new IllegalStateException(String.format("%s became %s at iteration %d: training diverged. "
                + "Lower --learning_rate (now %g) or keep --grad_clip on%s; the last good checkpoint in %s "
                + "is untouched.", what, value, iterNum, lr,
                scaler == null ? "" : " (in float16 activations can overflow: try --dtype=float32)", outDir));
    }

    private ProgressBar progressBar(int total) {
        if (!cfg.progress || !master || System.console() == null) {
            return null; // log lines instead, e.g. in CI and notebooks
        }
        return ProgressBar.builder().setTaskName("train").setInitialMax(total).build();
    }

    /** Writes ckpt.bin (atomically) with everything resume needs. Rank 0 only. */
    public void saveCheckpoint() throws IOException {
        if (!master) {
            return;
        }
        Checkpoint.Header h = new Checkpoint.Header();
        h.model_args = model.config;
        h.iter_num = iterNum;
        h.best_val_loss = bestValLoss;
        h.optimizer_step = optimizer.stepCount();
        h.config = cfg.toMap();
        h.vocab = tokenizer.chars();
        if (scaler != null) {
            h.scaler_scale = scaler.scale();
            h.scaler_growth_tracker = scaler.growthTracker();
            h.skipped_steps = scaler.skippedSteps();
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>(model.params());
        optimizer.expAvg().forEach((k, v) -> tensors.put("optimizer.exp_avg." + k, v));
        optimizer.expAvgSq().forEach((k, v) -> tensors.put("optimizer.exp_avg_sq." + k, v));
        Checkpoint.save(outDir.resolve(Checkpoint.FILE_NAME), h, tensors);
    }

    private void saveLog() throws IOException {
        log.save(outDir.resolve("log.csv"));
        if (cfg.charts) {
            Charts.saveAll(log, outDir);
        }
    }

    @Override
    public void close() {
        if (outDirLock != null) { outDirLock.close(); } // reliability: release out_dir/.lock
        accumDivisor.close();
        model.close();
        if (scaler != null) {
            scaler.close();
        }
        if (ddp != null) {
            ddp.close();
        }
    }
}

package gptkit.checkpoint;

import gptkit.config.TrainConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resuming a checkpoint on another number of DDP ranks, with nanoGPT's semantics.
 *
 * <p>iter_num counts optimizer steps, and gradient_accumulation_steps is the total number of
 * micro-batches per step, which each of the world_size ranks shares equally (train.py divides it
 * by the world size). So when the total divides by the new world size nothing is rescaled: the
 * resumed run goes on at iter_num with the same tokens per iteration. (MiniMind rescales its step
 * by old/new world size because its step counts one rank's batches; ours does not.) Why the rest
 * stays right:
 * <ul>
 * <li>the gradient: each micro-loss is divided by the per-rank count and the all-reduce divides by
 * the world size, 1/gradient_accumulation_steps in all: the mean over the same number of
 * micro-batches, whatever the split;</li>
 * <li>the lr schedule, eval_interval, max_iters and AdamW's step count (its bias correction) all
 * count optimizer steps, which mean the same before and after;</li>
 * <li>the seed: every rank builds its replica from the same seed, and on resume the weights and
 * optimizer state come from the checkpoint anyway. nanoGPT's seed offset per rank only makes the
 * ranks draw different batches and dropout masks; here each is drawn from (seed, iteration,
 * micro-step, rank), see {@link gptkit.train.Seeds}. The old run trained iterations below iter_num, so every
 * draw of the resumed run is a fresh one from the same uniform distribution. On the same world
 * size they are exactly the draws of the uninterrupted run; on another they are different ones
 * (only rank 0's first micro-steps coincide), as in nanoGPT, which re-seeds at every start.</li>
 * </ul>
 * When the total does not divide by the new world size the tokens per iteration cannot be kept,
 * and the trainer stops before it writes anything, saying which values would divide.
 */
public final class WorldSizeChange {
    private WorldSizeChange() {}

    /**
     * gradient_accumulation_steps / world size; on a resume that cannot split it, an error naming
     * the checkpoint's world size and what to do. Called before anything is written.
     */
    public static int accumulationPerRank(TrainConfig cfg, int world, CheckpointStore store) {
        try {
            return cfg.accumulationPerRank(world);
        } catch (IllegalArgumentException e) {
            if (!cfg.init_from.equals("resume")) {
                throw e;
            }
            Path file = Path.of(cfg.out_dir).resolve(Checkpoint.FILE_NAME);
            Checkpoint.Header h;
            try {
                h = store.load(file).header();
            } catch (IOException | RuntimeException unreadable) {
                throw e; // no checkpoint to speak of: the plain rule says enough
            }
            if (h.world_size < 1) {
                throw e; // written before the split was recorded
            }
            throw new IllegalArgumentException(cannotSplit(cfg, world, h, file), e);
        }
    }

    static String cannotSplit(TrainConfig cfg, int world, Checkpoint.Header h, Path file) {
        int gas = cfg.gradient_accumulation_steps;
        List<String> divisors = new ArrayList<>();
        for (int d = 1; d <= gas; d++) {
            if (gas % d == 0) {
                divisors.add(String.valueOf(d));
            }
        }
        int multiple = (gas + world - 1) / world * world;
        return String.format("gradient_accumulation_steps=%d cannot be split over %d ranks: %s was written by %s "
                        + "(%s), and every rank must do an equal share of the %d micro-steps. To keep %,d tokens per "
                        + "iteration resume on a number of ranks that divides %d (%s; --nproc-per-node), or to go on "
                        + "with %d ranks give --gradient_accumulation_steps=%d or another multiple of %d (%,d tokens "
                        + "per iteration). The checkpoint is untouched.",
                gas, world, file, ranks(h.world_size), split(h.gradient_accumulation_steps_per_rank,
                        h.gradient_accumulation_steps), gas, cfg.tokensPerIter(), gas, String.join(", ", divisors),
                world, multiple, world, (long) multiple * cfg.batch_size * cfg.block_size);
    }

    /**
     * The line a resume on another world size prints (or one whose total gradient_accumulation_steps
     * differs from the checkpoint's); null when nothing changed or the checkpoint predates the record.
     */
    public static String resumeLine(Checkpoint.Header h, TrainConfig cfg, int world) {
        if (h.world_size < 1 || (h.world_size == world && h.gradient_accumulation_steps
                == cfg.gradient_accumulation_steps)) {
            return null;
        }
        int perRank = cfg.gradient_accumulation_steps / world;
        String line = String.format("resuming a %d-rank run on %s: %s per rank", h.world_size, ranks(world),
                microSteps(perRank));
        long before = (long) h.gradient_accumulation_steps * batchSize(h, cfg) * cfg.block_size;
        if (before == cfg.tokensPerIter()) {
            return line + String.format(" %s %,d tokens per iteration", perRank == 1 ? "keeps" : "keep", before);
        }
        return line + String.format(", gradient_accumulation_steps=%d: %,d tokens per iteration (the checkpoint's run "
                + "had %s, %,d)", cfg.gradient_accumulation_steps, cfg.tokensPerIter(),
                split(h.gradient_accumulation_steps_per_rank, h.gradient_accumulation_steps), before);
    }

    /** The batch size the checkpoint's run trained with (its recorded config), else this run's. */
    private static int batchSize(Checkpoint.Header h, TrainConfig cfg) {
        Object b = h.config == null ? null : h.config.get("batch_size");
        return b instanceof Number n ? n.intValue() : cfg.batch_size;
    }

    private static String ranks(int n) {
        return n == 1 ? "1 rank" : n + " ranks";
    }

    private static String microSteps(int n) {
        return n == 1 ? "1 micro-step" : n + " micro-steps";
    }

    private static String split(int perRank, int total) {
        return microSteps(perRank) + " each, gradient_accumulation_steps=" + total;
    }
}

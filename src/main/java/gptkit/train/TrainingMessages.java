package gptkit.train;

import ai.djl.engine.EngineException;
import gptkit.config.TrainConfig;

import java.nio.file.Path;

/** The trainer's messages about a run gone wrong, each saying what to change. */
final class TrainingMessages {
    private TrainingMessages() {}

    /** libtorch's allocation failure as one clear message with what to change; other errors as they are. */
    static RuntimeException outOfMemory(EngineException e, TrainConfig cfg, boolean gpu, int iter,
                                        long tokensPerIter, Path outDir) {
        String m = String.valueOf(e.getMessage());
        if (!m.contains("out of memory") && !m.contains("can't allocate memory") && !m.contains("not enough memory")) {
            return e;
        }
        String what = m.length() > 160 ? m.substring(0, 160) + "..." : m;
        return new IllegalStateException(String.format("the %s ran out of memory at iteration %d (libtorch: %s). "
                + "Use less memory per micro-step: a smaller --batch_size (now %d) with a larger "
                + "--gradient_accumulation_steps keeps the %,d tokens per iteration; or a smaller --block_size "
                + "or model%s. The last checkpoint in %s is untouched.", gpu ? "GPU" : "CPU", iter, what,
                cfg.batch_size, tokensPerIter, gpu && cfg.dtype.equals("float32")
                        ? "; --dtype=float16 also halves the activations" : "", outDir), e);
    }

    static IllegalStateException diverged(String what, double value, double lr, int iter, TrainConfig cfg,
                                          Path outDir) {
        return new IllegalStateException(String.format("%s became %s at iteration %d: training diverged. "
                + "Lower --learning_rate (now %g) or keep --grad_clip on%s; the last good checkpoint in %s "
                + "is untouched.", what, value, iter, lr, cfg.dtype.equals("float16")
                ? " (in float16 activations can overflow: try --dtype=float32)" : "", outDir));
    }

    /** Why a run wrote no checkpoint file, as a warning line with what to try; next: what it cannot do now. */
    static String noCheckpoint(TrainConfig cfg, String file, Path outDir, double bestValLoss, String next) {
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
    static String untouched(int checkpointIter, Path outDir) {
        return checkpointIter >= 0 ? "The checkpoint of iteration " + checkpointIter + " in " + outDir + " is "
                + "untouched: resume from it with --init_from=resume once there is room."
                : "This run has saved no checkpoint yet.";
    }
}

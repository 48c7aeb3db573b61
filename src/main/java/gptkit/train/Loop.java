package gptkit.train;

import ai.djl.ndarray.NDArray;
import gptkit.amp.LossScaler;
import gptkit.config.TrainConfig;
import gptkit.ddp.Collective;
import gptkit.optim.Optimizer;
import gptkit.schedule.LrSchedule;

import java.io.IOException;
import java.util.Map;

/**
 * The loop part of the trainer: train.py's {@code while True}. Each iteration sets the learning
 * rate, evaluates and checkpoints every eval_interval (rank 0), runs forward and backward over
 * the micro-steps, averages, unscales, clips and steps, logs every log_interval, and stops after
 * max_iters. It reaches the model and the other parts through {@link Steps}. The library's is
 * {@link TrainLoop}.
 */
@FunctionalInterface
public interface Loop {
    void run(Steps t) throws IOException;

    /** The trainer as its loop sees it: the parts, and the steps that touch the model. */
    interface Steps {
        /** The run's settings: eval_interval, log_interval, max_iters, eval_only, grad_clip, ... */
        TrainConfig config();

        /** The first iteration of this run: 0, or the checkpoint's on a resume. */
        int iterNum();

        /** Micro-steps per iteration on this rank: gradient_accumulation_steps / world size. */
        int accumulation();

        /** master_process: rank 0 evaluates, checkpoints and logs for all. */
        boolean isMaster();

        LrSchedule schedule();

        Optimizer optimizer();

        LossScaler scaler();

        Collective ddp();

        GradClipper clipGradNorm();

        /** estimate_loss, its "step N: train loss ..., val loss ..." line, a checkpoint when val improves. */
        void evaluate(int iter, double lr) throws IOException;

        /**
         * X, Y = get_batch('train') for (iter, micro); logits, loss = model(X, Y). The loss is in
         * the autograd graph, and stays readable until the next forward or {@link #gradients()}.
         */
        NDArray forward(int iter, int micro);

        /**
         * A number as a tensor that lives as long as the trainer, for use inside the graph: DJL
         * frees a Java number made into a tensor (loss.div(4) makes one) when Java collects it,
         * even while backward still needs it. So divide by constant(4), not by 4.
         */
        NDArray constant(float value);

        /** backward() of this micro-step's (scaled) loss: gradients add up across micro-steps. */
        void backward(NDArray loss);

        /**
         * After the last micro-step: the float32 gradients by parameter name (the masters' in
         * float16 runs), which averaging, unscaling and clipping change in place.
         */
        Map<String, NDArray> gradients();

        /** optimizer.zero_grad(set_to_none=True): ends the iteration (its timing, its memory). */
        void zeroGrad();

        /**
         * The "iter N: loss ..., lr ..., time ..." line and the log's row; gradNorm is the norm
         * before clipping, NaN when the scaler skipped the step.
         */
        void log(int iter, double lr, float loss, float gradNorm);
    }
}

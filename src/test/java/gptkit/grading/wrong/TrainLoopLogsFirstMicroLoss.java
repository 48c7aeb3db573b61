package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import gptkit.config.TrainConfig;
import gptkit.train.Loop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Wrong: logs the first micro-step's loss. */
public final class TrainLoopLogsFirstMicroLoss implements Loop {
    @Override
    public void run(Steps t) throws IOException {
        TrainConfig cfg = t.config();
        double maxNorm = cfg.grad_clip != 0.0 ? cfg.grad_clip : Double.POSITIVE_INFINITY; // 0: norm logged, no clip
        int iterNum = t.iterNum();
        while (true) {
            // determine and set the learning rate for this iteration
            double lr = t.schedule().lr(iterNum);
            t.optimizer().setLearningRate(lr);
            // evaluate the loss on train/val sets and write checkpoints
            if (iterNum % cfg.eval_interval == 0 && t.isMaster()) {
                t.evaluate(iterNum, lr);
            }
            if (iterNum == 0 && cfg.eval_only) {
                break;
            }
            // forward backward update, with gradient accumulation to simulate a larger batch
            NDArray loss = null;
            float first = Float.NaN;
            for (int micro = 0; micro < t.accumulation(); micro++) {
                NDArray l = t.forward(iterNum, micro);
                if (micro == 0) {
                    first = l.getFloat();
                }
                loss = l;
                // scale the loss to account for gradient accumulation (and for float16)
                t.backward(t.scaler().scale(loss.div(t.constant(t.accumulation()))));
            }
            float lossf = first; // the last micro-step's, as train.py logs it: one sync
            // average across ranks, unscale, clip, step (unless float16 overflowed), zero_grad
            Map<String, NDArray> grads = t.gradients();
            List<NDArray> list = new ArrayList<>(grads.values());
            t.ddp().averageGradients(list);
            t.scaler().unscale(list);
            float norm = t.clipGradNorm().clipGradNorm(list, maxNorm);
            boolean stepped = t.scaler().step(t.optimizer(), grads);
            t.scaler().update();
            t.zeroGrad();
            // timing and logging
            if (iterNum % cfg.log_interval == 0 && t.isMaster()) {
                t.log(iterNum, lr, lossf, stepped ? norm : Float.NaN);
            }
            iterNum++;
            // termination conditions
            if (iterNum > cfg.max_iters) {
                break;
            }
        }
    }
}

package gptkit.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.data.GetBatch;
import gptkit.data.TokenFile;
import gptkit.model.GPT;

import java.util.SplittableRandom;

/**
 * nanoGPT's estimate_loss: the model in eval mode (dropout off), no gradients, the mean loss of
 * eval_iters random batches of each split. Training mode is restored afterwards.
 */
public final class EstimateLoss {
    private EstimateLoss() {}

    public record Losses(double train, double val) {}

    public static Losses estimateLoss(GPT model, TokenFile train, TokenFile val, int evalIters,
                                      int batchSize, int blockSize, long seed, int iter) {
        boolean wasTraining = model.isTraining();
        model.train(false);
        try {
            double t = meanLoss(model, train, evalIters, batchSize, blockSize, Seeds.rng(seed, Seeds.TRAIN, iter, -1));
            double v = meanLoss(model, val, evalIters, batchSize, blockSize, Seeds.rng(seed, Seeds.VAL, iter, -1));
            return new Losses(t, v);
        } finally {
            model.train(wasTraining);
        }
    }

    /** The mean of evalIters batch losses, computed with autograd off. */
    public static double meanLoss(GPT model, TokenFile data, int evalIters, int batchSize, int blockSize,
                                  SplittableRandom rng) {
        double sum = 0;
        for (int k = 0; k < evalIters; k++) {
            try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
                scope.suppressNotUsedWarning();
                NDList xy = GetBatch.getBatch(data, blockSize, batchSize, rng, model.manager(), model.device());
                sum += model.loss(xy.get(0), xy.get(1)).getFloat();
            }
        }
        return sum / evalIters;
    }
}

package gptkit.train;

import gptkit.autograd.NoGrad;

/**
 * nanoGPT's estimate_loss: the model in eval mode (dropout off), no gradients, the mean loss of
 * eval_iters fresh batches of each split; training mode afterwards.
 */
public final class EstimateLoss {
    private EstimateLoss() {}

    public record Losses(double train, double val) {}

    /** The library's evaluation part. */
    public static Losses estimateLoss(LossEstimator.Model model, int evalIters) {
        model.train(false);
        try (NoGrad ng = NoGrad.open()) {
            return new Losses(meanLoss(model, "train", evalIters), meanLoss(model, "val", evalIters));
        } finally {
            model.train(true);
        }
    }

    /** The mean of evalIters batch losses of one split. */
    public static double meanLoss(LossEstimator.Model model, String split, int evalIters) {
        double sum = 0;
        for (int k = 0; k < evalIters; k++) {
            sum += model.loss(split);
        }
        return sum / evalIters;
    }
}

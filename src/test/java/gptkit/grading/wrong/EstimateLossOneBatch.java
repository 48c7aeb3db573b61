package gptkit.grading.wrong;

import gptkit.autograd.NoGrad;
import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;

/** Wrong: one batch per split, its loss multiplied by eval_iters: the mean of a single batch. */
public final class EstimateLossOneBatch implements LossEstimator {
    public EstimateLossOneBatch() {}

    @Override
    public Losses estimateLoss(Model model, int evalIters) {
        model.train(false);
        try (NoGrad ng = NoGrad.open()) {
            double train = model.loss("train") * evalIters;
            double val = model.loss("val") * evalIters;
            return new Losses(train / evalIters, val / evalIters);
        } finally {
            model.train(true);
        }
    }
}

package gptkit.grading.wrong;

import gptkit.autograd.NoGrad;
import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;

/** Wrong: switches to eval mode and never back: training goes on without dropout. */
public final class EstimateLossStaysInEvalMode implements LossEstimator {
    public EstimateLossStaysInEvalMode() {}

    @Override
    public Losses estimateLoss(Model model, int evalIters) {
        model.train(false);
        try (NoGrad ng = NoGrad.open()) {
            return new Losses(mean(model, "train", evalIters), mean(model, "val", evalIters));
        }
    }

    private static double mean(Model model, String split, int evalIters) {
        double sum = 0;
        for (int k = 0; k < evalIters; k++) {
            sum += model.loss(split);
        }
        return sum / evalIters;
    }
}

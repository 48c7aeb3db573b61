package gptkit.grading.wrong;

import gptkit.autograd.NoGrad;
import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;

/** Wrong: the means in the wrong order: the train entry holds the val mean. */
public final class EstimateLossSplitsSwapped implements LossEstimator {
    public EstimateLossSplitsSwapped() {}

    @Override
    public Losses estimateLoss(Model model, int evalIters) {
        model.train(false);
        try (NoGrad ng = NoGrad.open()) {
            double train = mean(model, "train", evalIters);
            double val = mean(model, "val", evalIters);
            return new Losses(val, train);
        } finally {
            model.train(true);
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

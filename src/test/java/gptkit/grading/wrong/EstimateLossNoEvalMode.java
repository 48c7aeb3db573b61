package gptkit.grading.wrong;

import gptkit.autograd.NoGrad;
import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;

/** Wrong: evaluates in training mode (dropout on), under no_grad. */
public final class EstimateLossNoEvalMode implements LossEstimator {
    public EstimateLossNoEvalMode() {}

    @Override
    public Losses estimateLoss(Model model, int evalIters) {
        try (NoGrad ng = NoGrad.open()) {
            return new Losses(mean(model, "train", evalIters), mean(model, "val", evalIters));
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

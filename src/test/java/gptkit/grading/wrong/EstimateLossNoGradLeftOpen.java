package gptkit.grading.wrong;

import gptkit.autograd.NoGrad;
import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;

/** Wrong: opens no_grad and never closes it: the training after it records no gradients. */
public final class EstimateLossNoGradLeftOpen implements LossEstimator {
    public EstimateLossNoGradLeftOpen() {}

    @Override
    public Losses estimateLoss(Model model, int evalIters) {
        model.train(false);
        NoGrad.open();
        Losses out = new Losses(mean(model, "train", evalIters), mean(model, "val", evalIters));
        model.train(true);
        return out;
    }

    private static double mean(Model model, String split, int evalIters) {
        double sum = 0;
        for (int k = 0; k < evalIters; k++) {
            sum += model.loss(split);
        }
        return sum / evalIters;
    }
}

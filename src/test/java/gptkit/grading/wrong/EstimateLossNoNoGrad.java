package gptkit.grading.wrong;

import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;

/** Wrong: no no_grad block: every evaluation batch records an autograd graph. */
public final class EstimateLossNoNoGrad implements LossEstimator {
    public EstimateLossNoNoGrad() {}

    @Override
    public Losses estimateLoss(Model model, int evalIters) {
        model.train(false);
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

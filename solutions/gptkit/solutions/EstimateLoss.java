package gptkit.solutions;

import gptkit.autograd.NoGrad;
import gptkit.train.LossEstimator;

/** Reference answer to exercises/EstimateLoss.java. */
public final class EstimateLoss implements LossEstimator {

    public EstimateLoss() {}

    @Override
    public gptkit.train.EstimateLoss.Losses estimateLoss(Model model, int evalIters) {
        model.train(false); // eval(): dropout off
        try (NoGrad ng = NoGrad.open()) { // @torch.no_grad(): no graph, no activations kept
            return new gptkit.train.EstimateLoss.Losses(mean(model, "train", evalIters), mean(model, "val", evalIters));
        } finally {
            model.train(true); // back to training, even if a batch failed
        }
    }

    private static double mean(Model model, String split, int evalIters) {
        double sum = 0;
        for (int k = 0; k < evalIters; k++) {
            sum += model.loss(split); // a fresh batch each time
        }
        return sum / evalIters;
    }
}

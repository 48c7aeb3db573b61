package gptkit.grading.wrong;

import gptkit.autograd.NoGrad;
import gptkit.train.LossEstimator;

/** Wrong: model.train(true) after the try instead of in finally: a batch that throws leaves the model in eval mode. */
public final class EstimateLossTrainNotInFinally implements LossEstimator {

    public EstimateLossTrainNotInFinally() {}

    @Override
    public gptkit.train.EstimateLoss.Losses estimateLoss(Model model, int evalIters) {
        model.train(false);
        gptkit.train.EstimateLoss.Losses out;
        try (NoGrad ng = NoGrad.open()) {
            out = new gptkit.train.EstimateLoss.Losses(mean(model, "train", evalIters), mean(model, "val", evalIters));
        }
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

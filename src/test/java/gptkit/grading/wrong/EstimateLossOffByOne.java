package gptkit.grading.wrong;

import gptkit.autograd.NoGrad;
import gptkit.train.EstimateLoss.Losses;
import gptkit.train.LossEstimator;

/** Wrong: the loop starts at 1: eval_iters - 1 batches, divided by eval_iters. */
public final class EstimateLossOffByOne implements LossEstimator {
    public EstimateLossOffByOne() {}

    @Override
    public Losses estimateLoss(Model model, int evalIters) {
        model.train(false);
        try (NoGrad ng = NoGrad.open()) {
            double[] m = new double[2];
            String[] splits = {"train", "val"};
            for (int s = 0; s < 2; s++) {
                double sum = 0;
                for (int k = 1; k < evalIters; k++) {
                    sum += model.loss(splits[s]);
                }
                m[s] = sum / evalIters;
            }
            return new Losses(m[0], m[1]);
        } finally {
            model.train(true);
        }
    }
}

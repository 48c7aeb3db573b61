package gptkit.solutions;

import gptkit.grading.AccumModel;

/** Reference answer to exercises/GradAccumulation.java. */
public final class GradAccumulation {
    private GradAccumulation() {}

    public static double trainStep(AccumModel model, int gradientAccumulationSteps, double gradClip) {
        double lossf = Double.NaN;
        for (int micro = 0; micro < gradientAccumulationSteps; micro++) {
            // divided, so the accumulated gradient is that of the whole batch's mean loss
            AccumModel.Loss loss = model.forward(micro).div(gradientAccumulationSteps);
            loss.backward();
            lossf = loss.item() * gradientAccumulationSteps;
        }
        if (gradClip != 0.0) {
            model.clipGradNorm(gradClip); // on the full gradient, not on a micro-batch's share
        }
        model.optimizerStep();
        model.zeroGrad();
        return lossf;
    }
}

package gptkit.grading.wrong;

import gptkit.grading.AccumModel;

/** Wrong: each micro-step's loss backpropagated undivided: the gradient is steps times too large. */
public final class GradAccumulationNoDivide {
    public static double trainStep(AccumModel model, int gradientAccumulationSteps, double gradClip) {
        double lossf = Double.NaN;
        for (int micro = 0; micro < gradientAccumulationSteps; micro++) {
            AccumModel.Loss loss = model.forward(micro);
            loss.backward();
            lossf = loss.item();
        }
        if (gradClip != 0.0) {
            model.clipGradNorm(gradClip);
        }
        model.optimizerStep();
        model.zeroGrad();
        return lossf;
    }
}

package gptkit.grading.wrong;

import gptkit.grading.EvalModel;

import java.util.HashMap;
import java.util.Map;

/** Wrong: evaluates in training mode (dropout on), under no_grad. */
public final class EstimateLossNoEvalMode {
    public static Map<String, Double> estimateLoss(EvalModel model, int evalIters) {
        Map<String, Double> out = new HashMap<>();
        try (EvalModel.NoGrad ng = model.noGrad()) {
            for (String split : new String[] {"train", "val"}) {
                double sum = 0;
                for (int k = 0; k < evalIters; k++) {
                    sum += model.loss(split);
                }
                out.put(split, sum / evalIters);
            }
        }
        model.train(true);
        return out;
    }
}

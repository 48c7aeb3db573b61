package gptkit.solutions;

import gptkit.grading.EvalModel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reference answer to exercises/EstimateLoss.java. */
public final class EstimateLoss {
    private EstimateLoss() {}

    public static Map<String, Double> estimateLoss(EvalModel model, int evalIters) {
        Map<String, Double> out = new LinkedHashMap<>();
        model.train(false); // eval(): dropout off
        try (EvalModel.NoGrad ng = model.noGrad()) {
            for (String split : new String[] {"train", "val"}) {
                double sum = 0;
                for (int k = 0; k < evalIters; k++) {
                    sum += model.loss(split); // a fresh batch each time
                }
                out.put(split, sum / evalIters);
            }
        } finally {
            model.train(true);
        }
        return out;
    }
}

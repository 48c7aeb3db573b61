package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.Optimizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wrong: updates in place while autograd records (no NoGrad): torch refuses it on parameters. */
public final class AdamWWithoutNoGrad implements Optimizer {
    private final List<ParamGroup> groups;
    private double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long step;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();

    public AdamWWithoutNoGrad(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        this.groups = groups;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (ParamGroup g : groups) {
            g.params().forEach((name, p) -> {
                NDArray m = p.zerosLike();
                NDArray v = p.zerosLike();
                NDScope.unregister(m, v); // the state lives as long as the optimizer, not a caller's scope
                expAvg.put(name, m);
                expAvgSq.put(name, v);
            });
        }
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    @Override
    public void step(Map<String, NDArray> grads) {
        step++; // t of this update: 1 on the first, stepCount + 1 after a resume
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        // the mistake: no NoGrad, so autograd records the in-place updates of the parameters
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (ParamGroup g : groups) {
                for (Map.Entry<String, NDArray> e : g.params().entrySet()) {
                    NDArray p = e.getValue();
                    NDArray grad = grads.get(e.getKey());
                    if (grad == null) {
                        throw new IllegalArgumentException("no gradient for parameter " + e.getKey());
                    }
                    NDArray m = expAvg.get(e.getKey());
                    NDArray v = expAvgSq.get(e.getKey());
                    if (g.weightDecay() != 0) {
                        p.muli(1 - lr * g.weightDecay()); // decoupled: the gradient never sees the decay
                    }
                    m.addi(grad.sub(m).muli(1 - beta1)); // torch's lerp
                    v.muli(beta2).addi(grad.mul(grad).muli(1 - beta2));
                    NDArray denom = v.sqrt().divi(bc2Sqrt).addi(eps); // eps after the root
                    p.subi(m.div(denom).muli(stepSize));
                }
            }
        }
    }

    @Override
    public long stepCount() {
        return step;
    }

    @Override
    public void setStepCount(long step) {
        this.step = step;
    }

    @Override
    public Map<String, NDArray> state() {
        Map<String, NDArray> s = new LinkedHashMap<>();
        expAvg.forEach((k, v) -> s.put("exp_avg." + k, v)); // the tensors themselves: a checkpoint loads into them
        expAvgSq.forEach((k, v) -> s.put("exp_avg_sq." + k, v));
        return s;
    }
}

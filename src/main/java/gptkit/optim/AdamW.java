package gptkit.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import gptkit.autograd.NoGrad;
import gptkit.config.TrainConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.AdamW, step for step (its single-tensor float32 order of operations):
 * <pre>
 *   p  = p * (1 - lr * weight_decay)          decoupled decay
 *   m  = m + (1 - beta1) * (g - m)            first moment (torch's lerp)
 *   v  = v * beta2 + (1 - beta2) * g * g      second moment
 *   p  = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Parameters come in groups with their own weight decay, as configure_optimizers makes them.
 * The trainer runs {@link FusedAdamW}: this arithmetic as torch.optim.AdamW(fused=True), libtorch's
 * one-pass kernel (equal to this class to float32 rounding).
 */
public class AdamW implements Optimizer {
    /** A parameter group: named tensors sharing one weight decay. */
    public record ParamGroup(Map<String, NDArray> params, double weightDecay) {}

    final List<ParamGroup> groups;
    double lr;
    final double beta1;
    final double beta2;
    final double eps;
    long step;
    final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();

    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        this.groups = groups;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (ParamGroup g : groups) {
            g.params().forEach((name, p) -> {
                if (expAvg.containsKey(name)) {
                    throw new IllegalArgumentException("parameter " + name + " is in two groups");
                }
                NDArray m = p.zerosLike();
                NDArray v = p.zerosLike();
                NDScope.unregister(m, v); // optimizer state lives as long as the optimizer
                expAvg.put(name, m);
                expAvgSq.put(name, v);
            });
        }
    }

    /** The library's optimizer: configure_optimizers' groups, AdamW with train.py's settings, fused. */
    public static AdamW fromConfig(Map<String, NDArray> params, TrainConfig c) {
        return new FusedAdamW(ConfigureOptimizers.configureOptimizers(params, c.weight_decay), c.learning_rate,
                c.beta1, c.beta2, 1e-8);
    }

    /** The optimizer an AdamW-like constructor builds over the groups a DecayGrouping part makes. */
    @FunctionalInterface
    public interface Constructor {
        Optimizer create(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps);
    }

    /** The optimizer part from a grouping and an AdamW, with train.py's settings (eps 1e-8). */
    public static Optimizer.Factory factory(DecayGrouping grouping, Constructor adamw) {
        return (params, c) -> adamw.create(grouping.configureOptimizers(params, c.weight_decay), c.learning_rate,
                c.beta1, c.beta2, 1e-8);
    }

    @Override
    public String describe() {
        return describe(groups);
    }

    /** configure_optimizers' two lines: how many tensors and parameters each group holds. */
    public static String describe(List<ParamGroup> groups) {
        return String.format("num decayed parameter tensors: %d, with %,d parameters%n"
                        + "num non-decayed parameter tensors: %d, with %,d parameters%n",
                groups.get(0).params().size(), count(groups.get(0).params()),
                groups.get(1).params().size(), count(groups.get(1).params()));
    }

    private static long count(Map<String, NDArray> ps) {
        return ps.values().stream().mapToLong(NDArray::size).sum();
    }

    @Override
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    /** One update of every parameter from its own .grad. Runs outside the autograd graph. */
    public void step() {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (ParamGroup g : groups) {
                g.params().forEach((name, p) -> grads.put(name, p.getGradient()));
            }
            step(grads);
        }
    }

    /** The gradient of parameter name; a missing one is an error naming it, not a skipped update. */
    static NDArray gradOf(Map<String, NDArray> grads, String name) {
        NDArray grad = grads.get(name);
        if (grad == null) {
            throw new IllegalArgumentException("no gradient for parameter " + name);
        }
        return grad;
    }

    /**
     * One update from the given gradients by parameter name: with mixed precision they are the
     * unscaled float32 copies of the working copies' gradients, not the masters' own .grad.
     */
    @Override
    public void step(Map<String, NDArray> grads) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bc1;
        try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
            scope.suppressNotUsedWarning();
            for (ParamGroup g : groups) {
                for (Map.Entry<String, NDArray> e : g.params().entrySet()) {
                    NDArray p = e.getValue();
                    NDArray grad = gradOf(grads, e.getKey());
                    NDArray m = expAvg.get(e.getKey());
                    NDArray v = expAvgSq.get(e.getKey());
                    if (g.weightDecay() != 0) {
                        p.muli(1 - lr * g.weightDecay());
                    }
                    m.addi(grad.sub(m).muli(1 - beta1));
                    v.muli(beta2).addi(grad.mul(grad).muli(1 - beta2));
                    NDArray denom = v.sqrt().divi(bc2Sqrt).addi(eps);
                    p.subi(m.div(denom).muli(stepSize));
                }
            }
        }
    }

    @Override
    public long stepCount() {
        return step;
    }

    /** The first-moment (m) tensors by parameter name, for checkpoints. */
    public Map<String, NDArray> expAvg() {
        return expAvg;
    }

    /** The second-moment (v) tensors by parameter name, for checkpoints. */
    public Map<String, NDArray> expAvgSq() {
        return expAvgSq;
    }

    @Override
    public void setStepCount(long step) {
        this.step = step;
    }

    @Override
    public Map<String, NDArray> state() {
        Map<String, NDArray> s = new LinkedHashMap<>();
        expAvg.forEach((k, v) -> s.put("exp_avg." + k, v));
        expAvgSq.forEach((k, v) -> s.put("exp_avg_sq." + k, v));
        return s;
    }
}

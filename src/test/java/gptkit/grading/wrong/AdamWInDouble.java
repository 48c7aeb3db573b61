package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import gptkit.autograd.Tensors;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.Optimizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Right, though not torch's float32 arithmetic: every element in double, in Java, with the
 * textbook formulas (m_hat, v_hat), written back into the tensors. Must keep full marks.
 */
public final class AdamWInDouble implements Optimizer {
    private final List<ParamGroup> groups;
    private double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long step;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();

    public AdamWInDouble(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        this.groups = groups;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (ParamGroup g : groups) {
            g.params().forEach((name, p) -> {
                NDArray m = p.zerosLike();
                NDArray v = p.zerosLike();
                NDScope.unregister(m, v);
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
        step++;
        for (ParamGroup group : groups) {
            for (Map.Entry<String, NDArray> e : group.params().entrySet()) {
                float[] p = e.getValue().toFloatArray();
                float[] g = grads.get(e.getKey()).toFloatArray();
                float[] m = expAvg.get(e.getKey()).toFloatArray();
                float[] v = expAvgSq.get(e.getKey()).toFloatArray();
                for (int i = 0; i < p.length; i++) {
                    double w = p[i] * (1 - lr * group.weightDecay());
                    double mm = beta1 * m[i] + (1 - beta1) * g[i];
                    double vv = beta2 * v[i] + (1 - beta2) * (double) g[i] * g[i];
                    double mHat = mm / (1 - Math.pow(beta1, step));
                    double vHat = vv / (1 - Math.pow(beta2, step));
                    p[i] = (float) (w - lr * mHat / (Math.sqrt(vHat) + eps));
                    m[i] = (float) mm;
                    v[i] = (float) vv;
                }
                // copied into the tensors' own memory, under NoGrad (Tensors.copyInto)
                Tensors.copyInto(e.getValue(), p);
                Tensors.copyInto(expAvg.get(e.getKey()), m);
                Tensors.copyInto(expAvgSq.get(e.getKey()), v);
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
        expAvg.forEach((k, v) -> s.put("exp_avg." + k, v));
        expAvgSq.forEach((k, v) -> s.put("exp_avg_sq." + k, v));
        return s;
    }
}

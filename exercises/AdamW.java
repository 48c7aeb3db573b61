import ai.djl.ndarray.NDArray;
import gptkit.exercises.NotImplementedYet;
import gptkit.optim.AdamW.ParamGroup;
import gptkit.optim.Optimizer;

import java.util.List;
import java.util.Map;

/**
 * Exercise adamw (notebook 03): the trainer's optimizer, torch.optim.AdamW.
 * Check it: {@code ./mvnw test -Dexercise=adamw}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link Optimizer}): the constructor gets the parameter groups that
 * configure_optimizers made (each a map of named parameter tensors and the weight decay they
 * share), the learning rate, betas and eps. {@code step(grads)} updates every parameter of every
 * group in place from its gradient (given by the parameter's name), exactly as torch.optim.AdamW
 * does in float32: decoupled weight decay with the group's own weight_decay, the two running
 * averages, bias correction, eps added after the square root. {@code setLearningRate} sets the
 * rate of the coming steps (train.py sets it every iteration from get_lr). {@code stepCount()} is
 * Adam's t, the number of steps taken; {@code setStepCount} sets it on resume. {@code state()}
 * gives the optimizer's own tensors, by name: {@code "exp_avg." + name} (m) and
 * {@code "exp_avg_sq." + name} (v) for every parameter; a checkpoint saves them and loads into
 * them in place, so they must be the very tensors step() reads and writes, not copies.
 *
 * <p>Why: AdamW is the optimizer that trains GPTs. It keeps two running averages per weight: m,
 * of the gradient (momentum), and v, of its square (how large the gradient usually is), and
 * moves each weight by about lr in the direction of -m / sqrt(v), whatever the gradient's scale.
 * Weight decay shrinks the weights directly, decoupled from the gradient: that is the W in
 * AdamW. Biases and LayerNorm gains are in a group with weight decay 0.
 *
 * <p>Read: nanoGPT's model.py, {@code configure_optimizers} (the groups and
 * {@code torch.optim.AdamW(optim_groups, lr=learning_rate, betas=betas)}); PyTorch's
 * torch/optim/adamw.py (or adam.py in recent versions), {@code _single_tensor_adam}: the order
 * of operations the grader compares with. On the tensors: NDArray's in-place methods end in
 * {@code i} ({@code muli}, {@code addi}, {@code subi}, {@code divi}); the others make a new tensor.
 * The grader draws shapes, gradients and settings of its own and compares your part, step by
 * step, with torch's numbers and the library's AdamW.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class AdamW implements Optimizer {

    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        // TODO: keep the groups and the settings; make m and v (zeros, the parameter's shape) for every parameter
    }

    @Override
    public void setLearningRate(double lr) {
        // TODO: the rate of the coming steps
        throw new NotImplementedYet();
    }

    @Override
    public void step(Map<String, NDArray> grads) {
        // TODO: t + 1; for every group, every parameter: decay, m, v, update, in place
        throw new NotImplementedYet();
    }

    @Override
    public long stepCount() {
        // TODO: the steps taken so far
        throw new NotImplementedYet();
    }

    @Override
    public void setStepCount(long step) {
        // TODO: resume: the next step is step + 1
        throw new NotImplementedYet();
    }

    @Override
    public Map<String, NDArray> state() {
        // TODO: "exp_avg." + name -> m, "exp_avg_sq." + name -> v, the tensors themselves
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: torch.optim.AdamW's single-tensor step, in NDArray terms.
 *
 * Constructor: for each group, for each (name, p) of group.params(): m = p.zerosLike(),
 * v = p.zerosLike(); call NDScope.unregister(m, v) (import ai.djl.ndarray.NDScope) so that a caller's
 * scope does not close them; keep them in two LinkedHashMaps by name.
 *
 * step(grads):
 *   t = t + 1
 *   stepSize = lr / (1 - beta1^t)                       Math.pow, in double
 *   bc2Sqrt  = sqrt(1 - beta2^t)
 *   try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {   (import gptkit.autograd.NoGrad)
 *       scope.suppressNotUsedWarning();
 *       for each group, for each (name, p) of its params, g = grads.get(name):
 *           p.muli(1 - lr * group.weightDecay())         decoupled decay, the group's own
 *           m.addi(g.sub(m).muli(1 - beta1))             m = beta1 m + (1 - beta1) g
 *           v.muli(beta2).addi(g.mul(g).muli(1 - beta2))
 *           denom = v.sqrt().divi(bc2Sqrt).addi(eps)     eps AFTER the square root
 *           p.subi(m.div(denom).muli(stepSize))
 *   }
 *
 * NoGrad: the model's parameters require gradients, and torch refuses to change them in place
 * while autograd records (torch.optim steps under torch.no_grad()). The NDScope closes the
 * temporaries (g.sub(m), denom, ...) at its end, so a long training run does not fill memory.
 *
 * state(): a new LinkedHashMap with "exp_avg." + name -> m and "exp_avg_sq." + name -> v, the
 * same NDArray objects as in your maps (not duplicate()s).
 */

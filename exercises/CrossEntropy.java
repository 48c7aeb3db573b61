import ai.djl.ndarray.NDArray;
import gptkit.exercises.NotImplementedYet;
import gptkit.model.Loss;

/**
 * Exercise cross_entropy (notebook 02): the trainer's loss part.
 * Check it: {@code ./mvnw test -Dexercise=cross_entropy}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises}.
 *
 * <p>The contract ({@link Loss}): {@code loss(logits, targets)} takes the model's logits, shape
 * (B, T, V) (one score per vocabulary entry at every position), and the targets, shape (B, T),
 * int64 token ids, and returns a scalar NDArray: the mean over positions of
 * {@code -log softmax(logits[b][t])[targets[b][t]]}, the loss nanoGPT's GPT.forward computes with
 * {@code F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)}.
 * Positions whose target is -1 are left out, and the mean is over the others. The loss is in
 * float32 whatever the logits' type (in float16 training they come in float16; mind that DJL's
 * {@code toType} cuts the autograd graph: see the end of this file). The trainer
 * calls backward on what you return, so it must be built from NDArray operations on
 * {@code logits} (not a Java number wrapped up at the end): the gradient reaches the model
 * through it.
 *
 * <p>Why: softmax turns scores into probabilities; minus the log-probability of the right next
 * token is small when the model puts its mass there. A model that knows nothing (all logits
 * equal) scores ln(V). exp of a logit of 100 is already past float32's range: the loss must be
 * computed so that it never forms exp of a large number.
 *
 * <p>Where it bites (the DJL trap): autograd keeps some operands of the forward pass to
 * compute the gradient later, in backward. An NDArray that DJL makes from Java data, including
 * the scalar behind {@code x.mul(2)} or {@code x.div(n)} with a Java number (DJL creates it,
 * runs the op and closes it at once), does not own its memory: it points at a Java buffer, which
 * the garbage collector frees once the NDArray is closed or unreachable. If autograd kept it,
 * backward reads freed memory and the gradients are garbage, with no error, only after a garbage
 * collection, so only sometimes. Keep every array autograd may need alive until backward: reach
 * your constants through operations on the arrays you were given ({@code .neg()},
 * {@code .mean()}, a count computed as an NDArray, {@code .toType}), and never make one in a
 * manager of your own that you close. Adding or subtracting a Java number is safe (the gradient of
 * a sum does not read the operands), multiplying and dividing by one is not. The grader collects
 * garbage between forward and backward.
 *
 * <p>Read: nanoGPT's model.py, GPT.forward (the F.cross_entropy line); PyTorch's docs of
 * cross_entropy and log_softmax. Write it with NDArray operations (exp, log, max, sum, gather,
 * ...), not with a ready-made loss.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class CrossEntropy implements Loss {

    public CrossEntropy() {
    }

    @Override
    public NDArray loss(NDArray logits, NDArray targets) {
        // TODO: log-softmax over the last axis (max taken out first), pick each target's entry,
        // mean of minus those over the positions whose target is not -1
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: F.cross_entropy, step by step, on NDArrays.
 *
 *   v = the last dimension of logits' shape
 *   z = logits.reshape(-1, v)                         # (N, V), N = B * T positions
 *   if z is not float32: z = z.add(logits.getManager().zeros(new Shape(1), DataType.FLOAT32))
 *       # float16 + a float32 array of shape (1) is float32, and backward flows through the add;
 *       # z.toType(DataType.FLOAT32, false) would give a float32 array that no gradient reaches
 *       # (DJL's toType leaves the graph), and a shape () zero would keep float16
 *   m = z's max over axis 1, keeping the axis         # (N, 1); stopGradient() on it is fine
 *   shifted = z - m                                   # every entry <= 0: exp cannot overflow
 *   logp = shifted - log(sum over axis 1 of exp(shifted), keeping the axis)   # log_softmax
 *   t = targets.reshape(-1, 1)
 *   keep = (t != -1) as float32                       # 1 for a real target, 0 for ignore_index
 *   picked = logp.gather(t with -1 replaced by 0, 1)  # (N, 1): log p of each target
 *   loss = -(sum of picked * keep) / (sum of keep)    # the mean over the kept positions
 *
 * Compute the count as an NDArray (keep.sum()), not as a Java long that you divide by: see the
 * DJL trap above. log(sum(exp(z))) without subtracting m first is Infinity for large logits.
 */

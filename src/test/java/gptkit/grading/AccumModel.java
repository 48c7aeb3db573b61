package gptkit.grading;

/** The model and optimizer of one training iteration (exercise grad_accumulation). Given: do not change. */
public interface AccumModel {
    /** X, Y = get_batch('train') for this micro-step, then logits, loss = model(X, Y). */
    Loss forward(int microStep);

    /** torch.nn.utils.clip_grad_norm_(model.parameters(), maxNorm) over the gradients so far. */
    void clipGradNorm(double maxNorm);

    /** optimizer.step(): one update from the gradients accumulated so far. */
    void optimizerStep();

    /** optimizer.zero_grad(set_to_none=True). */
    void zeroGrad();

    /** A loss tensor: divide it, read it, backpropagate it (gradients add up until zeroGrad). */
    interface Loss {
        Loss div(double d);

        double item();

        void backward();
    }
}

package gptkit.train;

/**
 * The evaluation part of the trainer: train.py's estimate_loss, the mean loss over eval_iters
 * fresh batches of each split. The library's is {@link EstimateLoss#estimateLoss}.
 */
@FunctionalInterface
public interface LossEstimator {
    /** The model as estimate_loss sees it. */
    interface Model {
        /** model.train() with true, model.eval() with false: eval mode turns dropout off. */
        void train(boolean on);

        /** X, Y = get_batch(split); logits, loss = model(X, Y); loss.item(): a fresh batch each call. */
        double loss(String split);
    }

    EstimateLoss.Losses estimateLoss(Model model, int evalIters);
}

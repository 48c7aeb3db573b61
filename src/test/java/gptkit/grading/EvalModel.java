package gptkit.grading;

/** What estimate_loss needs from train.py (exercise estimate_loss). Given: do not change. */
public interface EvalModel {
    /** model.train() with true, model.eval() with false: eval mode turns dropout off. */
    void train(boolean on);

    /** `with torch.no_grad():` as a try-with-resources: no autograd graph is recorded inside. */
    NoGrad noGrad();

    /** X, Y = get_batch(split); logits, loss = model(X, Y); return loss.item(). A fresh batch each call. */
    double loss(String split);

    /** An open no_grad block. */
    interface NoGrad extends AutoCloseable {
        @Override
        void close();
    }
}

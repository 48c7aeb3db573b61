package gptkit.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.amp.Precision;
import gptkit.config.TrainConfig;
import gptkit.data.TokenFile;
import gptkit.model.GPT;

import java.util.random.RandomGenerator;

/**
 * The model as estimate_loss sees it: each loss(split) draws a fresh batch of that split from the
 * given generator and computes its loss with the training weights (float16 too). Like model(X, Y)
 * in train.py it records an autograd graph unless called inside NoGrad, as estimate_loss does.
 */
final class EvalModel implements LossEstimator.Model {
    private final TrainConfig cfg;
    private final Parts parts;
    private final GPT model;
    private final Precision precision;
    private final TokenFile train;
    private final TokenFile val;
    private final RandomGenerator trainRng;
    private final RandomGenerator valRng;

    EvalModel(TrainConfig cfg, Parts parts, GPT model, Precision precision, TokenFile train, TokenFile val,
              RandomGenerator trainRng, RandomGenerator valRng) {
        this.cfg = cfg;
        this.parts = parts;
        this.model = model;
        this.precision = precision;
        this.train = train;
        this.val = val;
        this.trainRng = trainRng;
        this.valRng = valRng;
    }

    @Override
    public void train(boolean on) {
        model.train(on);
    }

    @Override
    public double loss(String split) {
        TokenFile data = switch (split) {
            case "train" -> train;
            case "val" -> val;
            default -> throw new IllegalArgumentException("split must be 'train' or 'val', got " + split);
        };
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList b = parts.getBatch().getBatch(data, cfg.block_size, cfg.batch_size,
                    split.equals("train") ? trainRng : valRng, model.manager());
            return parts.crossEntropy().loss(model.forward(precision.weights(), b.get(0)), b.get(1)).getFloat();
        }
    }
}

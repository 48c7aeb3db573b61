package gptkit.grading;

import ai.djl.pytorch.jni.JniUtils;
import gptkit.engine.Engines;
import gptkit.train.LossEstimator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The model estimate_loss's checks hand to a student's part: its batch losses are scripted, and
 * every loss(split) call notes the mode the model was in and whether the engine was recording
 * gradients at that moment (libtorch's grad mode, the flag torch.no_grad() turns off). Asking
 * the engine, not a method of the model, is what makes a part that forgets no_grad visible: in
 * the trainer, a forward pass outside it builds a graph that holds every activation.
 */
final class EvalModel implements LossEstimator.Model {
    /** One loss() call as the model saw it. */
    record Call(String split, boolean training, boolean gradMode, double loss) {}

    /** The k-th batch loss (from 0) of a split. */
    interface Script {
        double loss(String split, int k);
    }

    /**
     * The old test's script: train about 2, val about 3, different batch to batch, so a reused
     * batch or a swapped split changes the mean.
     */
    static final Script FIXED = (split, k) -> ("val".equals(split) ? 3.0 : 2.0) + 0.37 * ((k * 7L) % 5);

    /** Losses drawn for this run, a sequence of its own per split (the same whatever the order of calls). */
    static Script drawn() {
        Random r = Grader.random();
        Map<String, Random> gens = new HashMap<>();
        Map<String, List<Double>> seqs = new HashMap<>();
        long trainSeed = r.nextLong();
        long valSeed = r.nextLong();
        double trainBase = 0.5 + 3 * r.nextDouble();
        double valBase = trainBase + 0.05 + r.nextDouble(); // val above train, as after some training
        return (split, k) -> {
            boolean val = "val".equals(split);
            Random g = gens.computeIfAbsent(split, s -> new Random(val ? valSeed : trainSeed));
            List<Double> seq = seqs.computeIfAbsent(split, s -> new ArrayList<>());
            while (seq.size() <= k) {
                seq.add((val ? valBase : trainBase) + 0.5 * g.nextGaussian());
            }
            return seq.get(k);
        };
    }

    /** The mean of the first n losses of a split, summed in order: estimate_loss's exact answer. */
    static double mean(Script s, String split, int n) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += s.loss(split, k);
        }
        return sum / n;
    }

    private final Script script;
    boolean training = true;
    final List<Call> calls = new ArrayList<>();

    EvalModel(Script script) {
        Engines.engine(); // the grad-mode flag lives in libtorch: load it first
        this.script = script;
    }

    @Override
    public void train(boolean on) {
        training = on;
    }

    @Override
    public double loss(String split) {
        if (!"train".equals(split) && !"val".equals(split)) {
            throw new AssertionError(Msg.of("model.loss(\"%s\"): the splits are \"train\" and \"val\"", split));
        }
        double l = script.loss(split, (int) count(split)); // a fresh batch each call
        calls.add(new Call(split, training, JniUtils.isGradMode(), l));
        return l;
    }

    long count(String split) {
        return calls.stream().filter(c -> c.split().equals(split)).count();
    }

    /** Whether the engine records gradients now, on this thread. */
    static boolean gradMode() {
        return JniUtils.isGradMode();
    }
}

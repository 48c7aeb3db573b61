package gptkit.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import gptkit.data.CharTokenizer;
import gptkit.model.GPT;
import gptkit.autograd.NoGrad;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * nanoGPT's generate / sample.py: feed the context (cropped to block_size), take the last
 * position's logits, divide by temperature, keep the top_k, sample from the softmax, append.
 */
public final class Sample {
    private Sample() {}

    public static int[] generate(GPT model, int[] context, int maxNewTokens, double temperature, int topK,
                                 RandomGenerator rng) {
        if (temperature <= 0) {
            throw new IllegalArgumentException("temperature must be > 0 (try 0.8; lower is more conservative)");
        }
        if (context.length == 0) {
            throw new IllegalArgumentException("The prompt is empty: give at least one character.");
        }
        boolean wasTraining = model.isTraining();
        model.train(false);
        int block = model.config().block_size();
        int[] out = Arrays.copyOf(context, context.length + maxNewTokens);
        int len = context.length;
        try {
            for (int n = 0; n < maxNewTokens; n++) {
                int from = Math.max(0, len - block);
                long[] idx = new long[len - from];
                for (int i = from; i < len; i++) {
                    idx[i - from] = out[i];
                }
                float[] logits;
                try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = model.manager().create(idx, new Shape(1, idx.length));
                    NDArray all = model.forward(x);
                    logits = all.get(new NDIndex("0, -1, :")).toFloatArray();
                }
                out[len++] = pick(logits, temperature, topK, rng);
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    /** Samples an id from logits / temperature, keeping only the topK largest (topK <= 0: all). */
    public static int pick(float[] logits, double temperature, int topK, RandomGenerator rng) {
        double[] z = new double[logits.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = logits[i] / temperature;
        }
        if (topK > 0 && topK < z.length) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double kth = sorted[z.length - topK];
            for (int i = 0; i < z.length; i++) {
                if (z[i] < kth) {
                    z[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double max = Arrays.stream(z).max().orElse(0);
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.exp(z[i] - max);
            sum += z[i];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < z.length; i++) {
            u -= z[i];
            if (u < 0) {
                return i;
            }
        }
        return z.length - 1;
    }

    /** Encodes a prompt, generates, decodes: what sample.py prints. */
    public static String sample(GPT model, CharTokenizer tok, String prompt, int maxNewTokens,
                                double temperature, int topK, RandomGenerator rng) {
        return tok.decode(generate(model, tok.encode(prompt), maxNewTokens, temperature, topK, rng));
    }
}

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
    /**
     * The lowest temperature: logits / temperature must stay finite (1e-320 made them infinite, and
     * the softmax NaN), and below 1e-3 sampling is already the most likely token (a logit gap of 0.01
     * weighs e^-10).
     */
    public static final double MIN_TEMPERATURE = 1e-3;

    private Sample() {}

    /** --temperature: finite and at least MIN_TEMPERATURE. */
    public static void checkTemperature(String key, double temperature) {
        if (!(temperature >= MIN_TEMPERATURE) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException(String.format("%s=%s: the temperature must be a finite number of at "
                    + "least %s (logits are divided by it; 1 samples the model as it is, 0.8 a little more "
                    + "conservatively, %s is already the most likely token).", key, temperature, MIN_TEMPERATURE,
                    MIN_TEMPERATURE));
        }
    }

    /** --top_k: 0 keeps every token, k >= 1 the k most likely. */
    public static void checkTopK(String key, int topK) {
        if (topK < 0) {
            throw new IllegalArgumentException(key + "=" + topK + ": top_k must be >= 0 (0 keeps every token; "
                    + "200 the 200 most likely)");
        }
    }

    /**
     * The most new tokens one sample may have after a prompt of promptLength: its tokens are one
     * int[] (a Java array: at most Integer.MAX_VALUE - 8), and they and their text (up to 2 UTF-16
     * chars a token, and a StringBuilder that doubles: about 16 bytes a token) must fit the heap.
     */
    public static long maxNewTokensLimit(int promptLength) {
        return Math.max(0, Math.min(Integer.MAX_VALUE - 8L - promptLength, Runtime.getRuntime().maxMemory() / 16));
    }

    /** A count of new tokens (--max_new_tokens, --sample=N): at least 1, and a sample that fits. */
    public static void checkMaxNewTokens(String key, long n, int promptLength) {
        long limit = maxNewTokensLimit(promptLength);
        if (n < 1 || n > limit) {
            throw new IllegalArgumentException(String.format("%s=%d: the number of new tokens must be between 1 and "
                    + "%,d (the sample's tokens and text must fit this JVM's %,d MB of heap, about 16 bytes a token; "
                    + "each token is one forward pass: 500 is a paragraph).", key, n, limit,
                    Runtime.getRuntime().maxMemory() >> 20));
        }
    }

    public static int[] generate(GPT model, int[] context, int maxNewTokens, double temperature, int topK,
                                 RandomGenerator rng) {
        checkTemperature("temperature", temperature);
        if (context.length == 0) {
            throw new IllegalArgumentException("The prompt is empty: give at least one character.");
        }
        checkMaxNewTokens("max_new_tokens", maxNewTokens, context.length);
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
        if (!(sum >= 1) || !Double.isFinite(sum)) { // the top token adds exp(0) = 1; NaN logits give NaN
            throw new IllegalStateException("the model's logits are not finite numbers (NaN or infinite): its weights "
                    + "are broken (a diverged run?). Sample from an earlier checkpoint, or train again with a lower "
                    + "learning_rate.");
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

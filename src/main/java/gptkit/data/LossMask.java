package gptkit.data;

/**
 * The loss-mask part of supervised fine-tuning: one example, a prompt and its response, as one
 * row of a batch. x holds the example's tokens from the prompt's first on, y the token that
 * follows each; every target that is a prompt token, and every padded position, is -1, which the
 * loss ignores ({@code F.cross_entropy(..., ignore_index=-1)}), so the model is trained on the
 * answer only. The library's is {@link SftExample#mask}; {@link SftBatches} draws its rows with it.
 */
@FunctionalInterface
public interface LossMask {
    /**
     * x and y of one example, block_size tokens each. With s = prompt + response (length L):
     * x[t] = s[t] and y[t] = s[t + 1] for t &lt; min(L - 1, block_size), except y[t] = -1 while
     * s[t + 1] is a prompt token (t + 1 &lt; prompt.length); past the example x[t] = pad, y[t] = -1.
     * An example longer than block_size + 1 tokens keeps its first block_size + 1 (the end of the
     * response is cut).
     */
    Row mask(int[] prompt, int[] response, int blockSize, int pad);

    /** One row of a batch: the inputs and the targets, -1 where nothing is to be learnt. */
    record Row(long[] x, long[] y) {}
}

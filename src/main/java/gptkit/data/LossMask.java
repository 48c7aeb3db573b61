package gptkit.data;

/**
 * The loss-mask part of supervised fine-tuning: one example, a prompt and its response, as one
 * row of a batch. x holds the example's tokens from the prompt's first on, y the token that
 * follows each; every target that is a prompt token, and every padded position, is -1, which the
 * loss ignores ({@code F.cross_entropy(..., ignore_index=-1)}), so the model is trained on the
 * answer only. The library's is {@link SftMask#mask}; {@link SftBatches} draws its rows with it.
 */
@FunctionalInterface
public interface LossMask {
    /**
     * x and y of one example, block_size tokens each, as MiniMind's SFT dataset makes them: s =
     * prompt + response (length L), cut to its first block_size + 1 tokens (the end of the response
     * goes) and padded with pad to block_size + 1; then x = s[:-1], y = s[1:], and y[t] = -1 where
     * s[t + 1] is a prompt token (t + 1 &lt; prompt.length) or padding (t + 1 &gt;= L). So
     * x[t] = s[t] for t &lt; L, pad after; the first response token is a target (y[prompt.length - 1]).
     * An empty prompt or response is an IllegalArgumentException.
     */
    Row mask(int[] prompt, int[] response, int blockSize, int pad);

    /** One row of a batch: the inputs and the targets, -1 where nothing is to be learnt. */
    record Row(long[] x, long[] y) {}
}

package gptkit.data;

/**
 * The library's loss mask (MiniMind's SFT loss_mask, nanoGPT's ignore_index): the targets that
 * are prompt tokens, and the padding, become -1. The first response token is a target (predicted
 * from the prompt's last token); with no truncation exactly response.length targets count.
 */
public final class SftMask {
    /** The target of a position that is not learnt: the loss's ignore_index. */
    public static final long IGNORE = -1;

    private SftMask() {}

    /** See {@link LossMask#mask}. */
    public static LossMask.Row mask(int[] prompt, int[] response, int blockSize, int pad) {
        if (prompt.length == 0 || response.length == 0) {
            throw new IllegalArgumentException(String.format("an SFT example needs a prompt and a response of at "
                    + "least one token each; got %d and %d", prompt.length, response.length));
        }
        int len = prompt.length + response.length;
        long[] x = new long[blockSize];
        long[] y = new long[blockSize];
        for (int t = 0; t < blockSize; t++) { // MiniMind: x = ids[:-1], y = ids[1:], masked
            x[t] = t < len ? token(prompt, response, t) : pad; // padding: causal attention keeps it from earlier positions
            y[t] = t + 1 < prompt.length || t + 1 >= len ? IGNORE : token(prompt, response, t + 1);
        }
        return new LossMask.Row(x, y);
    }

    private static long token(int[] prompt, int[] response, int i) {
        return i < prompt.length ? prompt[i] : response[i - prompt.length];
    }
}

package gptkit.solutions;

import gptkit.data.LossMask;

/** Reference answer to exercises/SftMask.java. */
public final class SftMask implements LossMask {

    public SftMask() {
    }

    @Override
    public Row mask(int[] prompt, int[] response, int blockSize, int pad) {
        if (prompt.length == 0 || response.length == 0) {
            throw new IllegalArgumentException(String.format("an SFT example needs a prompt and a response of at "
                    + "least one token each; got %d and %d", prompt.length, response.length));
        }
        int len = prompt.length + response.length;
        long[] x = new long[blockSize];
        long[] y = new long[blockSize];
        for (int t = 0; t < blockSize; t++) {
            x[t] = t < len ? token(prompt, response, t) : pad; // MiniMind's X = input_ids[:-1], padded
            boolean counted = t + 1 >= prompt.length && t + 1 < len; // the target is a response token
            y[t] = counted ? token(prompt, response, t + 1) : -1; // Y = input_ids[1:], -1 where loss_mask is 0
        }
        return new Row(x, y);
    }

    private static long token(int[] prompt, int[] response, int i) {
        return i < prompt.length ? prompt[i] : response[i - prompt.length];
    }
}

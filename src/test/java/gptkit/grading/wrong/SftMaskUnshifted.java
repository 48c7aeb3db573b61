package gptkit.grading.wrong;

import gptkit.data.LossMask;

/** Wrong: y[t] = s[t], the input itself, not the token after it. */
public final class SftMaskUnshifted implements LossMask {

    public SftMaskUnshifted() {
    }

    @Override
    public Row mask(int[] prompt, int[] response, int blockSize, int pad) {
        if (prompt.length == 0 || response.length == 0) {
            throw new IllegalArgumentException("an SFT example needs a prompt and a response");
        }
        int len = prompt.length + response.length;
        long[] x = new long[blockSize];
        long[] y = new long[blockSize];
        for (int t = 0; t < blockSize; t++) {
            x[t] = t < len ? token(prompt, response, t) : pad;
            boolean counted = t + 1 >= prompt.length && t + 1 < len;
            y[t] = counted ? token(prompt, response, t) : -1; // not shifted
        }
        return new Row(x, y);
    }

    private static long token(int[] prompt, int[] response, int i) {
        return i < prompt.length ? prompt[i] : response[i - prompt.length];
    }
}

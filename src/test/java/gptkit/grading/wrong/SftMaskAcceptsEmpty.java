package gptkit.grading.wrong;

import gptkit.data.LossMask;

/** Wrong: right on every example, but an empty prompt or response is accepted. */
public final class SftMaskAcceptsEmpty implements LossMask {

    public SftMaskAcceptsEmpty() {
    }

    @Override
    public Row mask(int[] prompt, int[] response, int blockSize, int pad) {
        int len = prompt.length + response.length;
        long[] x = new long[blockSize];
        long[] y = new long[blockSize];
        for (int t = 0; t < blockSize; t++) {
            x[t] = t < len ? token(prompt, response, t) : pad;
            boolean counted = t + 1 >= prompt.length && t + 1 < len;
            y[t] = counted ? token(prompt, response, t + 1) : -1;
        }
        return new Row(x, y);
    }

    private static long token(int[] prompt, int[] response, int i) {
        return i < prompt.length ? prompt[i] : response[i - prompt.length];
    }
}

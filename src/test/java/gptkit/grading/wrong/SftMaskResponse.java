package gptkit.grading.wrong;

import gptkit.data.LossMask;

/** Wrong: the response masked instead of the prompt: the prompt's targets are learnt. */
public final class SftMaskResponse implements LossMask {

    public SftMaskResponse() {
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
            boolean counted = t + 1 < prompt.length; // the prompt, not the response
            y[t] = counted ? token(prompt, response, t + 1) : -1;
        }
        return new Row(x, y);
    }

    private static long token(int[] prompt, int[] response, int i) {
        return i < prompt.length ? prompt[i] : response[i - prompt.length];
    }
}

package gptkit.grading.wrong;

import gptkit.data.LossMask;

/** Wrong: a long example keeps its last block_size + 1 tokens (ids[-(block_size + 1):]), so the prompt is cut. */
public final class SftMaskCutsTheStart implements LossMask {

    public SftMaskCutsTheStart() {
    }

    @Override
    public Row mask(int[] prompt, int[] response, int blockSize, int pad) {
        if (prompt.length == 0 || response.length == 0) {
            throw new IllegalArgumentException("an SFT example needs a prompt and a response");
        }
        int len = prompt.length + response.length;
        int from = Math.max(0, len - (blockSize + 1)); // keeps the end instead of the start
        long[] x = new long[blockSize];
        long[] y = new long[blockSize];
        for (int t = 0; t < blockSize; t++) {
            int i = from + t;
            x[t] = i < len ? token(prompt, response, i) : pad;
            boolean counted = i + 1 >= prompt.length && i + 1 < len;
            y[t] = counted ? token(prompt, response, i + 1) : -1;
        }
        return new Row(x, y);
    }

    private static long token(int[] prompt, int[] response, int i) {
        return i < prompt.length ? prompt[i] : response[i - prompt.length];
    }
}

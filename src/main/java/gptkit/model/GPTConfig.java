package gptkit.model;

import gptkit.config.Footprint;

/** The model arguments of nanoGPT's {@code GPTConfig}; checked when built. */
public record GPTConfig(
        int block_size, int vocab_size, int n_layer, int n_head, int n_embd, double dropout,
        boolean bias) {

    public GPTConfig {
        if (n_head <= 0 || n_embd <= 0 || n_layer <= 0 || block_size <= 0 || vocab_size <= 0) {
            throw new IllegalArgumentException(String.format(
                    "Model sizes must be positive: n_layer=%d n_head=%d n_embd=%d block_size=%d vocab_size=%d",
                    n_layer, n_head, n_embd, block_size, vocab_size));
        }
        if (n_embd % n_head != 0) {
            throw new IllegalArgumentException(String.format(
                    "n_embd %% n_head must be 0 (each head gets n_embd/n_head channels), got n_embd=%d, "
                            + "n_head=%d. Pick n_head among the divisors of n_embd, e.g. --n_head=%d.",
                    n_embd, n_head, largestDivisorAtMost(n_embd, n_head)));
        }
        // a tensor larger than a Java array would overflow an int in the causal mask or a checkpoint
        Footprint.requireTensorsFit(block_size, vocab_size, n_layer, n_head, n_embd, bias);
        if (!(dropout >= 0 && dropout < 1)) { // NaN too
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    private static int largestDivisorAtMost(int n, int k) {
        for (int d = Math.min(n, k); d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }

    public int head_size() {
        return n_embd / n_head;
    }
}

package gptkit.train;

import gptkit.model.GPT;

/**
 * nanoGPT's estimate_mfu: model FLOPs utilisation, the FLOPs a step needs (PaLM's count:
 * 6N per token plus attention 12*L*H*Q*T) per second, over the hardware's peak.
 */
public final class Mfu {
    private Mfu() {}

    public static double estimateMfu(GPT model, int fwdbwdPerIter, double dtSeconds, double peakFlops) {
        long n = model.numParams(true);
        var c = model.config();
        long l = c.n_layer(), h = c.n_head(), q = c.head_size(), t = c.block_size();
        double flopsPerToken = 6.0 * n + 12.0 * l * h * q * t;
        double flopsPerIter = flopsPerToken * t * fwdbwdPerIter;
        return flopsPerIter / dtSeconds / peakFlops;
    }
}

package gptkit.train;

import gptkit.model.GPT;

/**
 * train.py's timing and MFU: the time of each iteration (t1 - t0, at its end), tokens/s, and the
 * running estimate of model FLOPs utilisation, measured from the sixth iteration of this process on
 * (the first ones are slow). The listeners read it, as DJL's listeners read the trainer's metrics.
 */
final class Speed {
    private final GPT model;
    private final long tokensPerIter;
    private final int fwdbwdPerIter;
    private final double peakFlops;
    private long t0 = System.nanoTime();
    private double dt = Double.NaN;
    private int localIter; // iterations in the lifetime of this run
    private double runningMfu = -1.0;

    Speed(GPT model, long tokensPerIter, int fwdbwdPerIter, double peakFlops) {
        this.model = model;
        this.tokensPerIter = tokensPerIter;
        this.fwdbwdPerIter = fwdbwdPerIter;
        this.peakFlops = peakFlops;
    }

    /** An iteration ended: its time. */
    void stepped() {
        long t1 = System.nanoTime();
        dt = (t1 - t0) / 1e9;
        t0 = t1;
        localIter++;
    }

    /** A logged iteration: the MFU estimate moves toward this iteration's. */
    void logged() {
        if (localIter > 5) { // let the training loop settle a bit
            double mfu = Mfu.estimateMfu(model, fwdbwdPerIter, dt, peakFlops);
            runningMfu = runningMfu == -1.0 ? mfu : 0.9 * runningMfu + 0.1 * mfu;
        }
    }

    double msPerIter() {
        return dt * 1000;
    }

    double tokensPerSec() {
        return tokensPerIter / dt;
    }

    /** -1 before it is measured. */
    double mfu() {
        return runningMfu;
    }
}

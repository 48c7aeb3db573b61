package gptkit.solutions;

/** Reference answer to exercises/GradScaler.java. */
public final class GradScaler {
    private double scale;
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private int growthTracker;
    private boolean unscaled; // this iteration's gradients are already divided
    private boolean foundInf;

    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    public double getScale() {
        return scale;
    }

    public boolean unscale(float[][] grads) {
        float inv = (float) (1.0 / scale); // torch: the reciprocal in float32, then a multiply
        boolean inf = false;
        for (float[] g : grads) {
            for (int i = 0; i < g.length; i++) {
                g[i] *= inv;
                inf |= !Float.isFinite(g[i]); // NaN, inf and -inf alike
            }
        }
        unscaled = true;
        foundInf = inf;
        return inf;
    }

    public boolean step(float[][] grads, Runnable optimizerStep) {
        if (!unscaled) {
            unscale(grads);
        }
        if (foundInf) {
            return false; // parameters and optimizer state untouched
        }
        optimizerStep.run();
        return true;
    }

    public void update() {
        if (foundInf) {
            scale *= backoffFactor;
            growthTracker = 0;
        } else if (++growthTracker == growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
        unscaled = false;
        foundInf = false;
    }
}

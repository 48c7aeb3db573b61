package gptkit.grading.wrong;

/** Wrong: looks for NaN only (Float.isNaN), so it steps on inf and never backs off for it. */
public final class GradScalerStepsOnInf {
    private double scale;
    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private int growthTracker;
    private boolean unscaled;
    private boolean foundInf;

    public GradScalerStepsOnInf() {
        this(65536.0, 2.0, 0.5, 2000);
    }

    public GradScalerStepsOnInf(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    public double getScale() {
        return scale;
    }

    public boolean unscale(float[][] grads) {
        float inv = (float) (1.0 / scale);
        foundInf = false;
        for (float[] g : grads) {
            for (int i = 0; i < g.length; i++) {
                g[i] *= inv;
                foundInf |= Float.isNaN(g[i]);
            }
        }
        unscaled = true;
        return foundInf;
    }

    public boolean step(float[][] grads, Runnable optimizerStep) {
        if (!unscaled) {
            unscale(grads);
        }
        if (foundInf) {
            return false;
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

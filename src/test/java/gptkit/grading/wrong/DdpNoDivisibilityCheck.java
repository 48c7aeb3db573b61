package gptkit.grading.wrong;

/** Wrong: 40 steps over 3 ranks silently become 13 each (39 in all): the batch shrinks. */
public final class DdpNoDivisibilityCheck {
    public static int microStepsPerRank(int gradientAccumulationSteps, int worldSize) {
        return gradientAccumulationSteps / worldSize;
    }

    public static long seedOf(long seed, int rank) {
        return seed + rank;
    }

    public static boolean syncThisMicroStep(int microStep, int microStepsPerRank) {
        return microStep == microStepsPerRank - 1;
    }

    public static void allReduceMean(float[][] gradsPerRank) {
        for (int i = 0; i < gradsPerRank[0].length; i++) {
            double sum = 0;
            for (float[] g : gradsPerRank) {
                sum += g[i];
            }
            for (float[] g : gradsPerRank) {
                g[i] = (float) (sum / gradsPerRank.length);
            }
        }
    }
}

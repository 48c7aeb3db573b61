package gptkit.grading.wrong;

/** Wrong: all-reduce SUM without the division by world_size. */
public final class DdpSums {
    public static int microStepsPerRank(int gradientAccumulationSteps, int worldSize) {
        if (gradientAccumulationSteps % worldSize != 0) {
            throw new IllegalArgumentException("not divisible");
        }
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
            float sum = 0;
            for (float[] g : gradsPerRank) {
                sum += g[i];
            }
            for (float[] g : gradsPerRank) {
                g[i] = sum;
            }
        }
    }
}

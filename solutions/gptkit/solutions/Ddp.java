package gptkit.solutions;

/** Reference answer to exercises/Ddp.java. */
public final class Ddp {
    private Ddp() {}

    public static int microStepsPerRank(int gradientAccumulationSteps, int worldSize) {
        if (worldSize < 1 || gradientAccumulationSteps % worldSize != 0) {
            throw new IllegalArgumentException("gradient_accumulation_steps (" + gradientAccumulationSteps
                    + ") must be a multiple of the world size (" + worldSize + ")");
        }
        return gradientAccumulationSteps / worldSize; // the global batch stays the same
    }

    public static long seedOf(long seed, int rank) {
        return seed + rank; // different batches per rank; the weights come from rank 0's broadcast
    }

    public static boolean syncThisMicroStep(int microStep, int microStepsPerRank) {
        return microStep == microStepsPerRank - 1; // earlier micro-steps only accumulate locally
    }

    public static void allReduceMean(float[][] gradsPerRank) {
        int world = gradsPerRank.length;
        int n = gradsPerRank[0].length;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (float[] g : gradsPerRank) {
                sum += g[i];
            }
            float mean = (float) (sum / world);
            for (float[] g : gradsPerRank) {
                g[i] = mean;
            }
        }
    }
}

import gptkit.exercises.NotImplementedYet;

/**
 * Exercise ddp (notebook 08), graded by gptkit.grading.DdpExerciseTest:
 * {@code ./mvnw test -Dexercise=ddp}
 *
 * <p>Why: DistributedDataParallel trains one model on several processes (ranks). Every rank
 * holds the same weights, computes gradients on its own batches, and before the optimizer step
 * the gradients are averaged across ranks (an all-reduce), so every rank takes the same step and
 * the weights stay identical. The batch per optimizer step stays what the config says: each rank
 * does gradient_accumulation_steps / world_size micro-steps, which must divide evenly.
 *
 * <p>What: the DDP lines of nanoGPT's train.py, as four small functions:
 * <pre>
 *   assert gradient_accumulation_steps % ddp_world_size == 0
 *   gradient_accumulation_steps //= ddp_world_size               # microStepsPerRank
 *   seed_offset = ddp_rank; torch.manual_seed(1337 + seed_offset) # seedOf: own batches per rank
 *   model.require_backward_grad_sync = (micro_step == gradient_accumulation_steps - 1)
 *                                                                 # syncThisMicroStep: one all-reduce
 *   (DDP, inside backward)  grad = all_reduce(grad, SUM) / world_size   # allReduceMean
 * </pre>
 * A world size that does not divide the steps is an IllegalArgumentException (nanoGPT's assert).
 * gptkit.ddp.Ddp is the trainer's version (the reference).
 */
public final class Ddp {
    private Ddp() {}

    public static int microStepsPerRank(int gradientAccumulationSteps, int worldSize) {
        // TODO
        throw new NotImplementedYet();
    }

    /** The seed rank draws its batches from; rank 0 keeps the config's seed. */
    public static long seedOf(long seed, int rank) {
        // TODO
        throw new NotImplementedYet();
    }

    /** Whether this micro-step's backward all-reduces the gradients. */
    public static boolean syncThisMicroStep(int microStep, int microStepsPerRank) {
        // TODO
        throw new NotImplementedYet();
    }

    /** gradsPerRank[r] is rank r's flattened gradient; afterwards every rank holds the mean, in place. */
    public static void allReduceMean(float[][] gradsPerRank) {
        // TODO
        throw new NotImplementedYet();
    }
}

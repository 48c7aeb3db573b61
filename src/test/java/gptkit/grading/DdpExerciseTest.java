package gptkit.grading;

import gptkit.exercises.Part;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.that;

/** Grades exercises/Ddp.java (ddp, notebook 08). Exact math; the mean within 1e-6 relative. */
@ExtendWith(ReportCard.class)
public class DdpExerciseTest {
    public interface Api {
        int microStepsPerRank(int gradientAccumulationSteps, int worldSize);

        long seedOf(long seed, int rank);

        boolean syncThisMicroStep(int microStep, int microStepsPerRank);

        void allReduceMean(float[][] gradsPerRank);
    }

    static float[][] grads() {
        return new float[][] {{1f, -2f, 0.5f, 4f}, {3f, 2f, 0.25f, -4f}, {-1f, 0f, 0.75f, 8f}, {5f, 4f, 0.5f, 0f}};
    }

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.DDP, Api.class, List.of(
            Check.of("gradients are averaged across ranks, not summed", 3,
                    "all_reduce sums the ranks' gradients; DDP then divides by world_size. A sum makes the step "
                            + "world_size times larger than on one process.",
                    a -> {
                        float[][] g = grads();
                        a.allReduceMean(g);
                        near("rank 0's gradient", new float[] {2f, 1f, 0.5f, 2f}, g[0], 1e-6, 0);
                    }),
            Check.of("every rank ends with the same gradient, in place", 1,
                    "write the mean into every rank's array: each rank steps its own copy of the model.",
                    a -> {
                        float[][] g = grads();
                        a.allReduceMean(g);
                        for (int r = 1; r < g.length; r++) {
                            near("rank " + r + "'s gradient", g[0], g[r], 0, 0);
                        }
                        float[][] one = {{1.5f, -3f}};
                        a.allReduceMean(one);
                        near("the gradient with world size 1", new float[] {1.5f, -3f}, one[0], 0, 0);
                    }),
            Check.of("each rank does gradient_accumulation_steps / world_size micro-steps", 1,
                    "gradient_accumulation_steps //= ddp_world_size: 40 steps on 8 ranks is 5 each.",
                    a -> {
                        that(a.microStepsPerRank(40, 8) == 5, "40 steps over 8 ranks gave " + a.microStepsPerRank(40, 8));
                        that(a.microStepsPerRank(40, 1) == 40, "40 steps on 1 rank gave " + a.microStepsPerRank(40, 1));
                        that(a.microStepsPerRank(4, 4) == 1, "4 steps over 4 ranks gave " + a.microStepsPerRank(4, 4));
                    }),
            Check.of("a world size that does not divide the steps is rejected", 2,
                    "nanoGPT asserts gradient_accumulation_steps % ddp_world_size == 0; rounding down would change "
                            + "the batch size silently. Throw an IllegalArgumentException.",
                    a -> {
                        Expect.rejects("40 steps over 3 ranks", () -> a.microStepsPerRank(40, 3));
                        Expect.rejects("2 steps over 4 ranks", () -> a.microStepsPerRank(2, 4));
                    }),
            Check.of("each rank draws its own batches: seed + rank, rank 0 keeps the seed", 2,
                    "seed_offset = ddp_rank, torch.manual_seed(1337 + seed_offset): the same seed everywhere "
                            + "would train every rank on the same batches.",
                    a -> {
                        Set<Long> seeds = new HashSet<>();
                        for (int r = 0; r < 8; r++) {
                            seeds.add(a.seedOf(1337, r));
                        }
                        that(seeds.size() == 8, "8 ranks got only " + seeds.size() + " different seeds: " + seeds);
                        that(a.seedOf(1337, 0) == 1337, "rank 0's seed is " + a.seedOf(1337, 0) + ", expected 1337");
                        that(a.seedOf(1337, 3) == 1340, "rank 3's seed is " + a.seedOf(1337, 3) + ", expected 1340");
                    }),
            Check.of("gradients are synchronized on the last micro-step only", 1,
                    "require_backward_grad_sync = (micro_step == gradient_accumulation_steps - 1): one all-reduce "
                            + "per optimizer step instead of one per micro-step.",
                    a -> {
                        for (int m = 0; m < 5; m++) {
                            that(a.syncThisMicroStep(m, 5) == (m == 4), "micro-step " + m + " of 5: sync is "
                                    + a.syncThisMicroStep(m, 5));
                        }
                        that(a.syncThisMicroStep(0, 1), "with 1 micro-step per rank, it must sync");
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

package gptkit.grading;

import gptkit.exercises.Part;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

import static gptkit.grading.Expect.that;

/** Grades exercises/GetBatch.java (get_batch, notebook 01). Exact: token ids and offset ranges. */
@ExtendWith(ReportCard.class)
public class GetBatchExerciseTest {
    public interface Api {
        long[] offsets(long length, int blockSize, int batchSize, RandomGenerator rng);

        long[][] x(int[] data, long[] ix, int blockSize);

        long[][] y(int[] data, long[] ix, int blockSize);
    }

    /** Token ids that differ from their positions, so a shifted window is told apart. */
    static int[] data(int n) {
        int[] d = new int[n];
        for (int i = 0; i < n; i++) {
            d[i] = (i * 7 + 3) % 65;
        }
        return d;
    }

    static void rows(String what, int[] data, long[] ix, int block, int shift, long[][] got) {
        that(got != null && got.length == ix.length, what + " must have one row per offset (" + ix.length + ")");
        for (int b = 0; b < ix.length; b++) {
            long[] want = new long[block];
            for (int t = 0; t < block; t++) {
                want[t] = data[(int) ix[b] + t + shift];
            }
            that(Arrays.equals(want, got[b]), String.format("%s[%d] for offset %d is %s, expected %s", what, b,
                    ix[b], Arrays.toString(got[b]), Arrays.toString(want)));
        }
    }

    /** How often each offset comes out of n draws for a split of length tokens. */
    static long[] counts(Api a, int length, int block, int n) {
        long[] ix = a.offsets(length, block, n, new SplittableRandom(5));
        that(ix != null && ix.length == n, "offsets must return batch_size (" + n + ") values");
        long[] c = new long[length + 1];
        for (long i : ix) {
            that(i >= 0 && i < length - block, "offset " + i + " drawn for a split of " + length
                    + " tokens with block_size " + block + ": the valid starts are 0 to " + (length - block - 1));
            c[(int) i]++;
        }
        return c;
    }

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.GET_BATCH, Api.class, List.of(
            Check.of("x holds data[i : i + block_size] for each offset i", 2,
                    "row b of x is data[ix[b]], data[ix[b] + 1], ..., block_size tokens, in order.",
                    a -> {
                        int[] d = data(50);
                        long[] ix = {0, 17, 3, 40};
                        rows("x", d, ix, 8, 0, a.x(d, ix, 8));
                    }),
            Check.of("y is x shifted by one: data[i + 1 : i + 1 + block_size]", 3,
                    "the targets are the next tokens: y[b][t] is the token after x[b][t], so y starts at ix[b] + 1. "
                            + "y equal to x teaches the model to copy its input.",
                    a -> {
                        int[] d = data(50);
                        long[] ix = {0, 17, 3, 40};
                        rows("y", d, ix, 8, 1, a.y(d, ix, 8));
                    }),
            Check.of("the last valid offset, len(data) - block_size - 1, reaches the last token", 1,
                    "at i = len(data) - block_size - 1, y's window ends exactly on data[len(data) - 1].",
                    a -> {
                        int[] d = data(30);
                        long[] ix = {30 - 8 - 1};
                        rows("x", d, ix, 8, 0, a.x(d, ix, 8));
                        rows("y", d, ix, 8, 1, a.y(d, ix, 8));
                    }),
            Check.of("offsets stay in [0, len(data) - block_size)", 2,
                    "torch.randint(len(data) - block_size) excludes its bound: rng.nextLong(length - blockSize). "
                            + "A start at len(data) - block_size leaves y one token past the end.",
                    a -> {
                        counts(a, 11, 8, 600);
                        counts(a, 1_000, 64, 600);
                    }),
            Check.of("every start can be drawn, the last one included", 1,
                    "draw from all len(data) - block_size starts: nextLong(length - blockSize), not "
                            + "length - blockSize - 1.",
                    a -> {
                        long[] c = counts(a, 11, 8, 600);
                        for (int i = 0; i < 3; i++) {
                            that(c[i] > 100, "offset " + i + " came out " + c[i] + " times in 600 draws "
                                    + "(about 200 expected; starts 0, 1, 2 are valid for 11 tokens, block_size 8)");
                        }
                    }),
            Check.of("a split of len(data) <= block_size is rejected", 1,
                    "there is no window plus a next token: throw an IllegalArgumentException that says so.",
                    a -> {
                        Expect.rejects("offsets(8 tokens, block_size 8)", () -> a.offsets(8, 8, 4, new SplittableRandom(1)));
                        Expect.rejects("offsets(5 tokens, block_size 8)", () -> a.offsets(5, 8, 4, new SplittableRandom(1)));
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

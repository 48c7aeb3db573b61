package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import gptkit.engine.Engines;
import gptkit.data.BatchSource;
import gptkit.data.TokenFile;
import gptkit.train.Part;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static gptkit.grading.Expect.that;

/**
 * Grades exercises/GetBatch.java (get_batch, notebook 01): the BatchSource part. Token files are
 * written for each check (sizes and tokens drawn at grading time); the expected batches come from
 * gptkit.data.GetBatch on a twin of the generator the part is handed (the same seed), so the part
 * must make exactly the trainer's draws. All comparisons are exact.
 */
@ExtendWith(ReportCard.class)
public class GetBatchExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        BatchSource create();
    }

    /** Token ids written as a uint16 token file in a folder of its own, then read back. */
    static final class Tokens implements AutoCloseable {
        final int[] ids;
        final TokenFile file;
        private final Path dir;

        Tokens(int[] ids) {
            this.ids = ids;
            try {
                dir = Files.createTempDirectory("gptkit-get-batch");
                TokenFile.write(dir.resolve("train.bin"), ids, 0, ids.length);
                file = TokenFile.open(dir.resolve("train.bin"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p); // a mapped file can go on Linux; elsewhere the OS's temp cleanup takes it
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Token i is i: from a row of x its start offset can be read off, and a shifted window told apart. */
    static Tokens positions(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return new Tokens(ids);
    }

    /** Random token ids below vocab, as a corpus has them. */
    static Tokens random(int n, int vocab) {
        Random r = Grader.random();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return new Tokens(ids);
    }

    static NDManager manager() {
        return NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch");
    }

    /** x and y of the part, after checking they are two arrays. */
    static NDList batch(Api a, TokenFile data, int block, int batch, java.util.random.RandomGenerator rng, NDManager m) {
        NDList xy = a.create().getBatch(data, block, batch, rng, m);
        that(xy != null && xy.size() == 2, Msg.of("getBatch must return an NDList of two arrays, x then y; it "
                + "returned %s", (xy == null ? "null" : Msg.of("%d arrays", xy.size()))));
        return xy;
    }

    static String what(int len, int block, int batch) {
        return Msg.of("(%d tokens, block_size %d, batch_size %d)", len, block, batch);
    }

    /** Checks rows of x and y on position tokens; returns the start offsets read off x. */
    static long[] windows(NDList xy, int len, int block, int batch, boolean checkY) {
        long[] x = xy.get(0).toType(DataType.INT64, false).toLongArray();
        long[] y = xy.get(1).toType(DataType.INT64, false).toLongArray();
        that(x.length == batch * block && y.length == batch * block, Msg.of("x and y must hold batch_size * "
                + "block_size = %d tokens; they hold %d and %d", batch * block, x.length, y.length));
        long[] ix = new long[batch];
        for (int b = 0; b < batch; b++) {
            long i = x[b * block];
            ix[b] = i;
            that(i >= 0 && i < len - block, Msg.of("row %d of x starts at offset %d %s: the valid starts are 0 to "
                    + "len(data) - block_size - 1 = %d (y's window must end on the last token at the latest)", b, i,
                    what(len, block, batch), len - block - 1));
            for (int t = 0; t < block; t++) {
                that(x[b * block + t] == i + t, Msg.of("x[%d] is not one window of the data: it is %s %s", b,
                        Arrays.toString(Arrays.copyOfRange(x, b * block, (b + 1) * block)), what(len, block, batch)));
                if (checkY) {
                    that(y[b * block + t] == i + t + 1, Msg.of("y[%d][%d] is token %d, expected %d, the one after "
                            + "x[%d][%d] = %d %s", b, t, y[b * block + t], i + t + 1, b, t, i + t,
                            what(len, block, batch)));
                }
            }
        }
        return ix;
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.GET_BATCH, cls -> {
        Bind.Ctor<BatchSource> ctor = Bind.part(cls, BatchSource.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("x and y are int64 arrays of shape (batch_size, block_size), made with the manager handed in", 1,
                    "return new NDList(x, y), each created as manager.create(long[], new Shape(batchSize, blockSize)): "
                            + "long[] gives int64 (the embedding needs integer ids); the trainer frees a batch "
                            + "through that manager.",
                    a -> {
                        Random r = Grader.random();
                        int block = 1 + r.nextInt(32), batch = 1 + r.nextInt(12);
                        int len = block + 1 + r.nextInt(3000);
                        try (Tokens d = random(len, 65); NDManager m = manager()) {
                            NDList xy = batch(a, d.file, block, batch, new SplittableRandom(r.nextLong()), m);
                            for (int k = 0; k < 2; k++) {
                                NDArray v = xy.get(k);
                                String name = k == 0 ? "x" : "y";
                                that(v.getShape().equals(new Shape(batch, block)), Msg.of("%s has shape %s, "
                                        + "expected (batch_size, block_size) = (%d, %d)", name, v.getShape(), batch,
                                        block));
                                that(v.getDataType() == DataType.INT64, Msg.of("%s is %s, expected int64 (create "
                                        + "it from a long[])", name, v.getDataType()));
                                that(v.getManager() == m, Msg.of("%s was not made with the manager getBatch is "
                                        + "handed (it would never be freed)", name));
                            }
                        }
                    }),
            Check.of("y is x shifted by one: y[b][t] is the token after x[b][t]", 3,
                    "x's row is data[i : i + block_size], y's row data[i + 1 : i + 1 + block_size], from the same "
                            + "offset i: the targets are the next tokens. y equal to x teaches the model to copy its input.",
                    a -> {
                        Random r = Grader.random();
                        int[][] sizes = {{200, 8, 4}, {0, 0, 0}, {0, 0, 0}};
                        for (int k = 1; k < sizes.length; k++) {
                            int block = 1 + r.nextInt(64);
                            sizes[k] = new int[] {block + 1 + r.nextInt(5000), block, 1 + r.nextInt(16)};
                        }
                        for (int[] s : sizes) {
                            try (Tokens d = positions(s[0]); NDManager m = manager()) {
                                windows(batch(a, d.file, s[1], s[2], new SplittableRandom(r.nextLong()), m), s[0],
                                        s[1], s[2], true);
                            }
                        }
                    }),
            Check.of("offsets stay in [0, len(data) - block_size), and every one of them is drawn, the last included", 2,
                    "torch.randint(len(data) - block_size) excludes its bound: rng.nextLong(data.length() - blockSize). "
                            + "A start at len(data) - block_size puts y's last token past the end; a bound one "
                            + "smaller never trains on the last window.",
                    a -> {
                        Random r = Grader.random();
                        int block = 1 + r.nextInt(16);
                        int len = block + 2 + r.nextInt(3); // 2 to 4 valid starts
                        boolean[] seen = new boolean[len - block];
                        SplittableRandom rng = new SplittableRandom(r.nextLong());
                        try (Tokens d = positions(len); NDManager m = manager()) {
                            for (int n = 0; n < 50; n++) {
                                try (NDManager step = m.newSubManager()) {
                                    for (long i : windows(batch(a, d.file, block, 8, rng, step), len, block, 8, false)) {
                                        seen[(int) i] = true;
                                    }
                                }
                            }
                        }
                        for (int i = 0; i < seen.length; i++) {
                            that(seen[i], Msg.of("start %d never came out in 400 draws %s: every start from 0 to "
                                    + "len(data) - block_size - 1 = %d must be drawn", i, what(len, block, 8),
                                    len - block - 1));
                        }
                    }),
            Check.of("the offsets are the generator's own draws: rng.nextLong(len(data) - block_size), one per row", 3,
                    "draw from the rng you are handed, nothing else (no new Random(), no Math.random()), "
                            + "exactly rng.nextLong(data.length() - blockSize) for row 0, then row 1, ...: the trainer "
                            + "seeds it so that a run repeats and a resumed run sees the same batches.",
                    a -> {
                        Random r = Grader.random();
                        for (int k = 0; k < 4; k++) {
                            int block = 1 + r.nextInt(64), batch = 1 + r.nextInt(16);
                            int len = block + 1 + r.nextInt(k == 0 ? 4 : 20_000);
                            long seed = r.nextLong();
                            SplittableRandom mine = new SplittableRandom(seed), twin = new SplittableRandom(seed);
                            try (Tokens d = random(len, 1 + r.nextInt(65535)); NDManager m = manager()) {
                                for (int call = 0; call < 2; call++) { // the same generator again: the draws go on
                                    NDList got = batch(a, d.file, block, batch, mine, m);
                                    NDList want = gptkit.data.GetBatch.getBatch(d.file, block, batch, twin, m);
                                    for (int j = 0; j < 2; j++) {
                                        that(Arrays.equals(want.get(j).toLongArray(),
                                                        got.get(j).toType(DataType.INT64, false).toLongArray()),
                                                Msg.of("%s of call %d %s, generator seeded %d, differs from the "
                                                        + "batch of the trainer's draws", j == 0 ? "x" : "y",
                                                        call + 1, what(len, block, batch), seed));
                                    }
                                }
                                that(mine.nextLong() == twin.nextLong(), Msg.of("the batches are right but "
                                        + "getBatch took another number of draws from the generator than "
                                        + "batch_size %s: the next batch would differ", what(len, block, batch)));
                            }
                        }
                    }),
            Check.of("a split of len(data) <= block_size is rejected", 1,
                    "no window plus a next token fits: throw an IllegalArgumentException that says how many "
                            + "tokens the split has and needs, before drawing.",
                    a -> {
                        int block = 2 + Grader.random().nextInt(60);
                        for (int len : new int[] {block, block - 1}) {
                            try (Tokens d = positions(len); NDManager m = manager()) {
                                Expect.rejects(Msg.of("getBatch of %d tokens with block_size %d", len, block),
                                        () -> a.create().getBatch(d.file, block, 4, new SplittableRandom(1), m));
                            }
                        }
                    })),
            new Exercise.Mistake("GetBatchTargetsNotShifted", "y is x shifted", "y taken from the same window as x"),
            new Exercise.Mistake("GetBatchOffsetsPastEnd", "offsets stay in",
                    "offsets up to len(data) - block_size inclusive: y runs past the end"),
            new Exercise.Mistake("GetBatchNeverLastStart", "offsets stay in",
                    "offsets drawn below len(data) - block_size - 1: the last window never trains"),
            new Exercise.Mistake("GetBatchUnseeded", "the offsets are the generator's",
                    "offsets from a new java.util.Random(), not the generator handed in"),
            new Exercise.Mistake("GetBatchNextInt", "the offsets are the generator's",
                    "offsets drawn with rng.nextInt instead of rng.nextLong: other draws"),
            new Exercise.Mistake("GetBatchOneDraw", "the offsets are the generator's",
                    "one draw reused for every row"),
            new Exercise.Mistake("GetBatchInt32", "x and y are int64", "x and y made from int[]: int32, not int64"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

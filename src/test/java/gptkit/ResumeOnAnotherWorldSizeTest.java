package gptkit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.autograd.Autograd;
import gptkit.checkpoint.Checkpoint;
import gptkit.config.TrainConfig;
import gptkit.data.GetBatch;
import gptkit.data.TokenFile;
import gptkit.ddp.Collective;
import gptkit.ddp.LocalCollective;
import gptkit.model.GPT;
import gptkit.optim.AdamW;
import gptkit.schedule.LrSchedule;
import gptkit.train.ClipGradNorm;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Seeds;
import gptkit.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint written by 2 DDP ranks (threads over LocalCollective) with gradient_accumulation_steps=4
 * resumes on 1 rank (4 micro-steps) and on 4 ranks (1 each) with nanoGPT's semantics: iter_num goes
 * on, the tokens per iteration stay 4 x batch x block, and each step equals, bit for bit, a plain
 * loop that loads the checkpoint's weights and AdamW state and trains on the same micro-batches.
 * On 3 ranks the total cannot be split: one message, and the checkpoint is left byte for byte.
 */
class ResumeOnAnotherWorldSizeTest {
    static final int GAS = 4;
    static final int SAVED_AT = DdpTest.STEPS; // the 2-rank run checkpoints at this iteration
    static final int RESUMED_TO = SAVED_AT + 3; // the resumed runs train SAVED_AT..RESUMED_TO

    @TempDir
    static Path dir;
    static Path written; // out_dir of the 2-rank run: ckpt.bin and log.csv, never changed by the tests
    static String writtenOutput;

    /** What rank 0 of a run saw, or the error of each rank that failed. */
    record Run(Trainer.Result result, String output, Table steps, int accumulation, Map<String, float[]> params,
               List<Throwable> errors) {}

    @BeforeAll
    static void twoRanksWriteACheckpoint() throws Exception {
        written = dir.resolve("two-ranks");
        TrainConfig c = DdpTest.config(written, GAS);
        Run run = ranks(2, c);
        assertEquals(List.of(), run.errors());
        assertEquals(2, run.accumulation());
        writtenOutput = run.output();
    }

    /** Runs world ranks as threads of this JVM (LocalCollective), each its own Trainer on the same out_dir. */
    static Run ranks(int world, TrainConfig c) throws Exception {
        List<Collective> group = LocalCollective.group(world, 60);
        ExecutorService pool = Executors.newFixedThreadPool(world);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        List<Future<Run>> futures = new ArrayList<>();
        for (Collective rank : group) {
            futures.add(pool.submit(() -> {
                PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
                try (Trainer t = new Trainer(c, Parts.library().with(Part.DDP, (Collective.Factory) cfg -> rank), out)) {
                    Trainer.Result r = t.run();
                    Map<String, float[]> ps = new LinkedHashMap<>();
                    t.model().params().forEach((k, v) -> ps.put(k, v.toFloatArray()));
                    return new Run(r, null, t.log().steps(), t.accumulation(), ps, List.of());
                } catch (Exception | AssertionError e) {
                    return new Run(null, null, null, 0, null, List.of(e));
                }
            }));
        }
        List<Throwable> errors = new ArrayList<>();
        Run first = null;
        for (Future<Run> f : futures) {
            Run r = f.get(300, TimeUnit.SECONDS);
            errors.addAll(r.errors());
            first = first == null ? r : first;
        }
        pool.shutdown();
        return new Run(first.result(), text.toString(StandardCharsets.UTF_8), first.steps(), first.accumulation(),
                first.params(), errors);
    }

    /** A copy of the 2-rank run's out_dir, to resume in (a resume saves into its out_dir). */
    static Path copyOfCheckpoint(String name) throws IOException {
        Path to = dir.resolve(name);
        Files.createDirectories(to);
        for (String f : List.of(Checkpoint.FILE_NAME, "log.csv")) {
            Files.copy(written.resolve(f), to.resolve(f));
        }
        return to;
    }

    static TrainConfig resume(Path out) {
        TrainConfig c = DdpTest.config(out, GAS);
        c.init_from = "resume";
        c.max_iters = RESUMED_TO;
        return c;
    }

    /** The losses and grad norms rank 0 logged, and the weights after each step, of a plain loop. */
    record Reference(List<Float> losses, List<Float> gradNorms, Map<String, float[]> params) {}

    /**
     * One process that loads the checkpoint's weights, AdamW moments and step count, and trains
     * iterations from..to on the micro-batches the world ranks draw, (iteration, micro-step, rank),
     * each loss divided by gradient_accumulation_steps; it records rank 0's last micro-step loss.
     */
    static Reference reference(TrainConfig c, Checkpoint.Loaded ck, int world) throws Exception {
        TokenFile train = TokenFile.open(Path.of(c.data_dir, c.dataset, "train.bin"));
        int perRank = GAS / world;
        List<Float> losses = new ArrayList<>();
        List<Float> norms = new ArrayList<>();
        try (GPT model = new GPT(ck.header().model_args, Device.cpu(), 1)) {
            Checkpoint.copyInto(ck, model.params(), "");
            AdamW opt = AdamW.fromConfig(model.params(), c);
            Checkpoint.copyInto(ck, opt.state(), "optimizer.");
            opt.setStepCount(ck.header().optimizer_step);
            NDArray divisor = model.manager().create((float) GAS);
            for (int it = ck.header().iter_num; it <= c.max_iters; it++) {
                opt.setLearningRate(LrSchedule.library(c).lr(it));
                try (NDScope scope = new NDScope(); Autograd rec = Autograd.record()) {
                    scope.suppressNotUsedWarning();
                    for (int r = 0; r < world; r++) {
                        for (int m = 0; m < perRank; m++) {
                            NDList xy = GetBatch.getBatch(train, c.block_size, c.batch_size,
                                    Seeds.rng(c.seed, Seeds.TRAIN, it, m, r), model.manager());
                            // the library's loss part, as the trainer computes it
                            NDArray loss = Parts.library().crossEntropy().loss(model.forward(xy.get(0)), xy.get(1));
                            if (r == 0 && m == perRank - 1) {
                                losses.add(loss.getFloat());
                            }
                            Autograd.backward(loss.div(divisor));
                        }
                    }
                }
                norms.add(ClipGradNorm.clipGradNormOfParams(model.params().values(), c.grad_clip));
                opt.step();
                Autograd.zeroGrad(model.params().values());
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            model.params().forEach((k, v) -> out.put(k, v.toFloatArray()));
            return new Reference(losses, norms, out);
        }
    }

    @Test
    void theCheckpointRecordsTheSplitItWasWrittenWith() throws Exception {
        Checkpoint.Header h = Checkpoint.load(written.resolve(Checkpoint.FILE_NAME)).header();
        assertEquals(2, h.world_size);
        assertEquals(GAS, h.gradient_accumulation_steps);
        assertEquals(GAS / 2, h.gradient_accumulation_steps_per_rank);
        assertEquals(SAVED_AT, h.iter_num);
        assertEquals(SAVED_AT, h.optimizer_step);
    }

    @Test
    void resumesOnOneRankWithFourMicroStepsLikeAPlainLoopFromTheSameState() throws Exception {
        resumesOn(1, "resuming a 2-rank run on 1 rank: 4 micro-steps per rank keep 256 tokens per iteration");
    }

    @Test
    void resumesOnFourRanksWithOneMicroStepEachLikeAPlainLoopFromTheSameState() throws Exception {
        resumesOn(4, "resuming a 2-rank run on 4 ranks: 1 micro-step per rank keeps 256 tokens per iteration");
    }

    private void resumesOn(int world, String line) throws Exception {
        Path out = copyOfCheckpoint("resumed-on-" + world);
        TrainConfig c = resume(out);
        Checkpoint.Loaded ck = Checkpoint.load(out.resolve(Checkpoint.FILE_NAME));
        Run run = ranks(world, c);
        assertEquals(List.of(), run.errors());
        assertTrue(run.output().contains(line + "\n"), "the world-size line, in:\n" + run.output());
        for (String once : List.of(line, "Resuming training from", "tokens per iteration will be")) {
            assertEquals(1, run.output().split(java.util.regex.Pattern.quote(once), -1).length - 1,
                    "rank 0 speaks for all: '" + once + "' once in:\n" + run.output());
        }
        // the accumulation split keeps the tokens per iteration of the 2-rank run
        assertEquals(GAS / world, run.accumulation());
        String tokens = "tokens per iteration will be: 256\n";
        assertTrue(writtenOutput.contains(tokens), writtenOutput);
        assertTrue(run.output().contains(tokens), run.output());
        // iter_num goes on: iterations SAVED_AT..RESUMED_TO are trained and logged, nothing before
        assertEquals(RESUMED_TO + 1, run.result().iterNum());
        Table steps = run.steps();
        int[] iters = steps.intColumn("iter").asIntArray();
        int[] want = java.util.stream.IntStream.rangeClosed(0, RESUMED_TO).toArray();
        assertArrayEquals(want, iters, "the restored log up to iter_num, then the resumed iterations");
        // each resumed step is, bit for bit, the step of a plain loop from the checkpoint's state
        Reference ref = reference(c, ck, world);
        for (int i = 0; i < ref.losses().size(); i++) {
            int row = SAVED_AT + i;
            double loss = steps.doubleColumn("loss").get(row);
            assertTrue(Double.isFinite(loss), "iter " + row + ": loss " + loss);
            assertEquals((double) ref.losses().get(i), loss, 0.0, "iter " + row + ": loss");
            assertEquals((double) ref.gradNorms().get(i), steps.doubleColumn("grad_norm").get(row), 0.0,
                    "iter " + row + ": grad norm");
        }
        assertEquals(RESUMED_TO + 1 - SAVED_AT, ref.losses().size());
        for (Map.Entry<String, float[]> e : ref.params().entrySet()) {
            assertArrayEquals(e.getValue(), run.params().get(e.getKey()), "the weights " + e.getKey() + " at the end");
        }
    }

    @Test
    void aTotalThatCannotBeSplitStopsEveryRankAndLeavesTheCheckpoint() throws Exception {
        Path out = copyOfCheckpoint("resumed-on-3");
        Map<String, byte[]> before = contents(out);
        Run run = ranks(3, resume(out)); // gradient_accumulation_steps=4 over 3 ranks
        Map<String, byte[]> after = contents(out);
        assertEquals(before.keySet(), after.keySet(), "no file added or removed in out_dir");
        for (String f : before.keySet()) {
            assertArrayEquals(before.get(f), after.get(f), f + " byte for byte");
        }
        assertEquals(3, run.errors().size(), "every rank stops");
        for (Throwable e : run.errors()) {
            assertInstanceOf(IllegalArgumentException.class, e);
            assertEquals("gradient_accumulation_steps=4 cannot be split over 3 ranks: " + out.resolve("ckpt.bin")
                    + " was written by 2 ranks (2 micro-steps each, gradient_accumulation_steps=4), and every rank "
                    + "must do an equal share of the 4 micro-steps. To keep 256 tokens per iteration resume on a "
                    + "number of ranks that divides 4 (1, 2, 4; --nproc-per-node), or to go on with 3 ranks give "
                    + "--gradient_accumulation_steps=6 or another multiple of 3 (384 tokens per iteration). The "
                    + "checkpoint is untouched.", e.getMessage());
        }
        assertEquals("", run.output(), "nothing printed before the error");
    }

    @Test
    void aCheckpointFromBeforeTheRecordStillResumes() throws Exception {
        Path out = copyOfCheckpoint("old-checkpoint");
        Path file = out.resolve(Checkpoint.FILE_NAME);
        rewriteHeader(file, json -> json.replace(",\"world_size\":2,\"gradient_accumulation_steps\":4,"
                + "\"gradient_accumulation_steps_per_rank\":2", ""));
        assertFalse(headerJson(file).contains("world_size"), headerJson(file));
        assertEquals(0, Checkpoint.load(file).header().world_size);
        TrainConfig c = resume(out);
        c.max_iters = SAVED_AT; // one step
        // on a world size that cannot split it: the plain rule, as it cannot name the old world size
        Run three = ranks(3, c);
        assertEquals(3, three.errors().size());
        assertTrue(three.errors().get(0).getMessage().startsWith("gradient_accumulation_steps (4) must be divisible "
                + "by the number of processes (3)"), three.errors().get(0).getMessage());
        // on one that can: it trains on, with nothing to say about world sizes
        Run run = ranks(1, c);
        assertEquals(List.of(), run.errors());
        assertFalse(run.output().contains("resuming a"), "no world size to compare with:\n" + run.output());
        assertEquals(SAVED_AT + 1, run.result().iterNum());
        assertTrue(Double.isFinite(run.result().lastLoss()));
    }

    @Test
    void aHeaderWhoseSplitDoesNotAddUpIsRefused() throws Exception {
        Path out = copyOfCheckpoint("inconsistent");
        Path file = out.resolve(Checkpoint.FILE_NAME);
        rewriteHeader(file, json -> json.replace("\"gradient_accumulation_steps_per_rank\":2",
                "\"gradient_accumulation_steps_per_rank\":3"));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("world_size=2, gradient_accumulation_steps=4 and "
                + "gradient_accumulation_steps_per_rank=3 do not fit together"), e.getMessage());
    }

    static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> m = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                m.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return m;
    }

    private static final int MAGIC = "GPTKIT-CKPT-1\n".length();

    static String headerJson(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int len = ByteBuffer.wrap(all, MAGIC, 4).getInt();
        return new String(all, MAGIC + 4, len, StandardCharsets.UTF_8);
    }

    /** Rewrites the JSON header of a checkpoint (and its CRC), as an older or a damaged writer would have. */
    static void rewriteHeader(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int len = ByteBuffer.wrap(all, MAGIC, 4).getInt();
        byte[] json = edit.apply(new String(all, MAGIC + 4, len, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(all, 0, MAGIC);
        body.write(ByteBuffer.allocate(4).putInt(json.length).array());
        body.write(json);
        body.write(all, MAGIC + 4 + len, all.length - 8 - (MAGIC + 4 + len));
        CRC32 crc = new CRC32();
        crc.update(body.toByteArray());
        body.write(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
        Files.write(file, body.toByteArray());
    }
}

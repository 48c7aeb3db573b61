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
import gptkit.ddp.DdpEnv;
import gptkit.ddp.DdpException;
import gptkit.ddp.LocalCollective;
import gptkit.ddp.XGBoostCollective;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.optim.AdamW;
import gptkit.optim.ConfigureOptimizers;
import gptkit.schedule.GetLr;
import gptkit.schedule.LrSchedule;
import gptkit.train.ClipGradNorm;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Seeds;
import gptkit.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DdpTest {
    static final int STEPS = 4;

    /** The DDP run's config: dropout off, a checkpoint after STEPS optimizer steps. */
    static TrainConfig config(Path out, int accumulation) {
        TrainConfig c = TinyCorpus.config(out);
        c.dropout = 0.0;
        c.gradient_accumulation_steps = accumulation;
        c.max_iters = STEPS;
        c.eval_interval = STEPS;
        c.ddp_timeout = 60;
        return c;
    }

    /**
     * One process doing what all ranks do together: every rank's micro-batches in one
     * accumulation, each loss divided by the total number of micro-batches.
     */
    static Map<String, float[]> singleProcess(TrainConfig c, int world) throws Exception {
        TokenFile train = TokenFile.open(Path.of(c.data_dir, c.dataset, "train.bin"));
        int vocab = gptkit.data.CharTokenizer.load(Path.of(c.data_dir, c.dataset, "vocab.txt")).vocabSize();
        int perRank = c.gradient_accumulation_steps / world;
        try (GPT model = new GPT(new GPTConfig(c.block_size, vocab, c.n_layer, c.n_head, c.n_embd, 0, c.bias),
                Device.cpu(), c.seed)) {
            AdamW opt = new AdamW(ConfigureOptimizers.configureOptimizers(model.params(), c.weight_decay),
                    c.learning_rate, c.beta1, c.beta2, 1e-8);
            NDArray divisor = model.manager().create((float) (perRank * world));
            for (int it = 0; it < STEPS; it++) {
                opt.setLearningRate(LrSchedule.library(c).lr(it));
                try (NDScope scope = new NDScope(); Autograd rec = Autograd.record()) {
                    scope.suppressNotUsedWarning();
                    for (int r = 0; r < world; r++) {
                        for (int m = 0; m < perRank; m++) {
                            NDList xy = GetBatch.getBatch(train, c.block_size, c.batch_size,
                                    Seeds.rng(c.seed, Seeds.TRAIN, it, m, r), model.manager());
                            Autograd.backward(model.loss(xy.get(0), xy.get(1)).div(divisor));
                        }
                    }
                }
                ClipGradNorm.clipGradNormOfParams(model.params().values(), c.grad_clip);
                opt.step();
                Autograd.zeroGrad(model.params().values());
            }
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            model.params().forEach((k, v) -> out.put(k, v.toFloatArray()));
            return out;
        }
    }

    static void assertSameParams(Map<String, float[]> want, Map<String, float[]> got, String what) {
        for (String k : want.keySet()) {
            double d = Fixtures.maxAbsDiff(want.get(k), got.get(k));
            assertTrue(d <= 1e-5, what + ": " + k + " differs from one process on the combined batch by " + d);
        }
    }

    /** Starts `gptkit torchrun` as a separate process; its output (all ranks') comes back in order. */
    static Process torchrun(int ranks, TrainConfig c, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx1g", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), "gptkit.cli.Main",
                "torchrun", "--nproc-per-node=" + ranks, "--timeout=60"));
        cmd.addAll(List.of(extra));
        cmd.add("train");
        cmd.add("default");
        c.toMap().forEach((k, v) -> cmd.add("--" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    static String readAll(Process p, int timeoutSec) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        Future<String> text = ex.submit(() -> new String(p.getInputStream().readAllBytes()));
        assertTrue(p.waitFor(timeoutSec, TimeUnit.SECONDS), "torchrun did not finish within " + timeoutSec + " s");
        String s = text.get(10, TimeUnit.SECONDS);
        ex.shutdown();
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void ranksEndWithTheParametersOfOneProcessOnTheCombinedBatch(int world, @TempDir Path out) throws Exception {
        TrainConfig c = config(out, 4);
        Process p = torchrun(world, c);
        String log;
        try {
            log = readAll(p, 240);
        } finally {
            stop(p);
        }
        assertEquals(0, p.exitValue(), log);
        // one all-reduce per optimizer step (STEPS + 1: train.py also steps at iter == max_iters)
        Matcher m = Pattern.compile("ddp rank (\\d+): (\\d+) all-reduces for (\\d+) optimizer steps.*checksum (\\w+)")
                .matcher(log);
        Set<String> checksums = new java.util.HashSet<>();
        int ranks = 0;
        while (m.find()) {
            ranks++;
            assertEquals(STEPS + 1, Integer.parseInt(m.group(2)), "all-reduces of rank " + m.group(1));
            assertEquals(m.group(3), m.group(2), "all-reduces = optimizer steps, not micro-steps");
            checksums.add(m.group(4));
        }
        assertEquals(world, ranks, "one summary line per rank:\n" + log);
        assertEquals(1, checksums.size(), "every rank ends with identical parameters");
        assertEquals(1, count(log, "step " + STEPS + ": train loss"), "only rank 0 evaluates and logs");
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of("ckpt.bin", "log.csv"),
                    files.map(f -> f.getFileName().toString()).collect(Collectors.toSet()), "only rank 0 writes files");
        }
        Checkpoint.Loaded ck = Checkpoint.load(out.resolve(Checkpoint.FILE_NAME));
        assertEquals(STEPS, ck.header().iter_num);
        assertSameParams(singleProcess(c, world), ck.tensors(), world + " ranks");
    }

    @Test
    void killingOneRankStopsTheOthersWithAnErrorInBoundedTime(@TempDir Path out) throws Exception {
        TrainConfig c = config(out, 2);
        c.max_iters = 100_000;
        c.eval_interval = 100_000;
        c.ddp_timeout = 20;
        Process p = torchrun(2, c, "--grace=300"); // the survivor must stop by itself, not be killed
        try {
            killRankOne(p);
        } finally {
            stop(p);
        }
    }

    private static void killRankOne(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        StringBuilder log = new StringBuilder();
        String line;
        while ((line = r.readLine()) != null && !line.startsWith("iter 3:")) {
            log.append(line).append('\n');
        }
        List<ProcessHandle> ranks = p.toHandle().children().toList();
        assertEquals(2, ranks.size());
        // rank 1 by its RANK variable (start times tie within the clock's 10 ms, and killing rank 0 is another test)
        ProcessHandle rankOne = ranks.stream().filter(h -> "1".equals(environment(h).get("RANK"))).findFirst()
                .orElseThrow(() -> new AssertionError("no worker with RANK=1 among " + ranks));
        long t0 = System.nanoTime();
        rankOne.destroyForcibly();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        Future<?> rest = ex.submit(() -> r.lines().forEach(l -> log.append(l).append('\n')));
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the run did not stop within 90 s of losing a rank:\n" + log);
        rest.get(10, TimeUnit.SECONDS);
        ex.shutdown();
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(p.exitValue() != 0, "a run that lost a rank must fail");
        assertTrue(log.toString().contains("rank 0:"), "rank 0 says why it stopped:\n" + log);
        assertTrue(secs < 90, "stopped after " + secs + " s");
    }

    /** A process's environment, from /proc (Linux: where the DDP natives run). */
    private static Map<String, String> environment(ProcessHandle h) {
        Map<String, String> env = new java.util.HashMap<>();
        try {
            for (String kv : Files.readString(Path.of("/proc", String.valueOf(h.pid()), "environ")).split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return env;
    }

    @Test
    void aRankThatCannotConnectGivesUpWithAClearError() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        DdpException e = assertThrows(DdpException.class,
                () -> XGBoostCollective.connect(1, 2, "127.0.0.1", closed, 5));
        assertTrue(e.getMessage().contains("could not connect"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "gave up in bounded time");
    }

    @Test
    void accumulationStepsMustDivideAmongTheRanks() {
        TrainConfig c = TrainConfig.preset("default");
        c.gradient_accumulation_steps = 8;
        assertEquals(2, c.accumulationPerRank(4));
        c.gradient_accumulation_steps = 6;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.accumulationPerRank(4));
        assertTrue(e.getMessage().contains("divisible"), e.getMessage());
    }

    @Test
    void threadReplicasSumInRankOrderWhateverOrderTheyArrive() throws Exception {
        // float addition is not associative: 1e8 + 1 - 1e8 + 1 is 1 in rank order, 0 or 2 in others
        float[] values = {1e8f, 1f, -1e8f, 1f};
        ExecutorService pool = Executors.newFixedThreadPool(values.length);
        try {
            for (int round = 0; round < 30; round++) {
                List<Collective> group = LocalCollective.group(values.length, 10);
                List<Future<Float>> sums = new ArrayList<>();
                for (Collective rank : group) {
                    long delayMicros = (long) (Math.random() * 2000); // arrive in a different order each round
                    sums.add(pool.submit(() -> {
                        java.util.concurrent.locks.LockSupport.parkNanos(delayMicros * 1000);
                        float[] data = {values[rank.rank()]};
                        rank.allReduceSum(data);
                        return data[0];
                    }));
                }
                for (Future<Float> f : sums) {
                    assertEquals(1f, f.get(30, TimeUnit.SECONDS), "round " + round + ": the sum in rank order");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void replicasInOneJvmAverageLikeProcesses(@TempDir Path out) throws Exception {
        int world = 2;
        List<Collective> group = LocalCollective.group(world, 60);
        ExecutorService pool = Executors.newFixedThreadPool(world);
        List<Future<Map<String, float[]>>> results = new ArrayList<>();
        for (Collective rank : group) {
            results.add(pool.submit(() -> {
                TrainConfig c = config(out.resolve("r" + rank.rank()), 4);
                c.max_iters = STEPS - 1; // stop right after STEPS optimizer steps
                c.eval_interval = 1000;
                try (Trainer t = new Trainer(c, Parts.library().with(Part.DDP, (Collective.Factory) cfg -> rank))) {
                    t.setOut(TinyCorpus.quiet());
                    t.run();
                    assertEquals(STEPS, rank.allReduceCount());
                    Map<String, float[]> ps = new java.util.LinkedHashMap<>();
                    t.model().params().forEach((k, v) -> ps.put(k, v.toFloatArray()));
                    return ps;
                }
            }));
        }
        Map<String, float[]> want = singleProcess(config(out, 4), world);
        for (Future<Map<String, float[]>> f : results) {
            assertSameParams(want, f.get(120, TimeUnit.SECONDS), "in-JVM replica");
        }
        pool.shutdown();
    }

    /** Never leave ranks behind, whatever the test's outcome. */
    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}

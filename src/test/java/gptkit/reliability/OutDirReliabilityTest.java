package gptkit.reliability;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import gptkit.checkpoint.Checkpoint;
import gptkit.engine.Engines;
import gptkit.model.GPTConfig;
import gptkit.outdir.OutDir;
import gptkit.outdir.OutDirLock;
import gptkit.train.TrainingLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10, cases 1 (out_dir of another dataset, out-X), 2 (two trainers, temp names) and 7 (unwritable out_dir). */
class OutDirReliabilityTest {
    // case 1
    @Test
    void anOutDirHoldingAnotherDatasetsCheckpointIsRefusedUnlessOverridden(@TempDir Path out) throws IOException {
        assertEquals(0, Cli.run(Cli.trainArgs(out)).code);
        Checkpoint.Header h = Checkpoint.load(out.resolve(Checkpoint.FILE_NAME)).header();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OutDir.checkOwnership(out, "tiny", h.vocab, false)); // the same dataset: another run still
        assertTrue(e.getMessage().contains("holds another run (ckpt.bin, log.csv)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OutDir.checkOwnership(out, "songci", "abc", false));
        assertTrue(e.getMessage().contains("'tiny'") && e.getMessage().contains("'songci'")
                && e.getMessage().contains("--overwrite_out_dir=true") && e.getMessage().contains("out-songci"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OutDir.checkOwnership(out, "tiny", "xyz", false));
        assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
        OutDir.checkOwnership(out, "songci", "abc", true);
        OutDir.checkOwnership(out.resolve("empty"), "songci", "abc", false);
    }

    @Test
    void aDatasetWithoutAnOutDirTrainsIntoOutDashDataset() {
        assertEquals("out-mytext", OutDir.resolve("out-shakespeare-char", "mytext", List.of("--dataset=mytext")));
        assertEquals("runs/a", OutDir.resolve("runs/a", "mytext", List.of("--dataset=mytext", "--out_dir=runs/a")));
        assertEquals("out-shakespeare-char", OutDir.resolve("out-shakespeare-char", "shakespeare_char", List.of()));
    }

    // case 2: two trainers on one out_dir
    @Test
    void aSecondTrainerIsRefusedWithTheHoldersPidAndADeadHoldersLockIsTakenOver(@TempDir Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), out.toString()));
        Process holder = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream())).readLine();
            assertEquals("locked " + holder.pid(), line);
            String e = Cli.run(Cli.trainArgs(out)).oneLineError();
            assertTrue(e.contains("in use by another gptkit trainer") && e.contains("PID " + holder.pid())
                    && e.contains(out.toString()), e);
            assertFalse(Files.exists(out.resolve(Checkpoint.FILE_NAME)), "the refused trainer wrote nothing");
            holder.destroyForcibly(); // a crash: its .lock stays behind
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
            assertTrue(Files.exists(out.resolve(OutDirLock.FILE_NAME)));
            try (OutDirLock mine = OutDirLock.acquire(out)) {
                assertEquals(String.valueOf(ProcessHandle.current().pid()),
                        Files.readString(out.resolve(OutDirLock.FILE_NAME)).strip());
                try (OutDirLock shared = OutDirLock.acquire(out)) { // trainers of one JVM (a notebook) share it
                    assertTrue(shared.dir().endsWith(out.getFileName()));
                }
                assertTrue(Files.exists(out.resolve(OutDirLock.FILE_NAME)), "still held by the first");
            }
            assertFalse(Files.exists(out.resolve(OutDirLock.FILE_NAME)), "removed when released");
            Cli ok = Cli.run(Cli.trainArgs(out));
            assertEquals(0, ok.code, ok.err);
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void everySaveUsesATempNameOfItsOwnAndRemovesItOnFailure(@TempDir Path out) throws IOException {
        Engines.engine();
        GPTConfig a = new GPTConfig(2, 3, 1, 1, 2, 0, false);
        Checkpoint.Header h = new Checkpoint.Header();
        h.model_args = a;
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            gptkit.model.GPT.shapes(a).forEach((k, s) -> tensors.put(k, m.zeros(new ai.djl.ndarray.types.Shape(s))));
            // another writer's (or a crashed one's) temp file of the old fixed name does not get in the way
            Files.createDirectories(out.resolve(Checkpoint.FILE_NAME + ".tmp"));
            Files.createDirectories(out.resolve("log.csv.tmp"));
            Checkpoint.save(out.resolve(Checkpoint.FILE_NAME), h, tensors);
            new TrainingLog().save(out.resolve("log.csv"));
            assertEquals(2, Checkpoint.load(out.resolve(Checkpoint.FILE_NAME)).header().model_args.block_size());
            // a save that fails at the rename leaves no temp file
            Path blocked = out.resolve("sub");
            Files.createDirectories(blocked.resolve(Checkpoint.FILE_NAME).resolve("x"));
            Files.createDirectories(blocked.resolve("log.csv").resolve("x"));
            assertThrows(IOException.class, () -> Checkpoint.save(blocked.resolve(Checkpoint.FILE_NAME), h, tensors));
            assertThrows(IOException.class, () -> new TrainingLog().save(blocked.resolve("log.csv")));
            try (Stream<Path> s = Files.list(blocked)) {
                List<String> names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
                assertEquals(List.of("ckpt.bin", "log.csv"), names, "no temp files left");
            }
        }
    }

    // case 7: an out_dir that cannot be written
    @Test
    void anUnwritableOrEmptyOutDirIsRefusedAtStartUp(@TempDir Path tmp) throws IOException {
        String e = Cli.run(Cli.trainArgs(tmp, "--out_dir=/proc/x")).oneLineError();
        assertTrue(e.contains("out_dir /proc/x cannot be created") && e.contains("Choose a folder you can write"), e);
        Cli c = Cli.run(Cli.trainArgs(tmp, "--out_dir="));
        e = c.oneLineError();
        assertTrue(e.contains("out_dir is empty"), e);
        assertFalse(c.out.contains("step 0"), "refused before training:\n" + c.out);
        Path file = Files.writeString(tmp.resolve("afile"), "x", StandardCharsets.UTF_8);
        e = Cli.run(Cli.trainArgs(tmp, "--out_dir=" + file)).oneLineError();
        assertTrue(e.contains("is a file, not a folder"), e);
    }
}

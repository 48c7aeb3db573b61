package gptkit.reliability;

import gptkit.TinyCorpus;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.LoraCheckpoint;
import gptkit.config.TrainConfig;
import gptkit.files.SafeFiles;
import gptkit.outdir.OutDir;
import gptkit.outdir.OutDirLock;
import gptkit.plot.Charts;
import gptkit.train.EstimateLoss;
import gptkit.train.LossEstimator;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import gptkit.train.TrainingListener;
import gptkit.train.TrainingLog;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: a run's out_dir and files. A fresh run never mixes its files with another run's, charts
 * are written whole, killed saves leave no temp files for good, a full disk is one line, Ctrl-C
 * stops at a step boundary and says where to resume, and a run without a checkpoint says so.
 */
class RunFilesReliabilityTest {
    /** sha256 of every file in dir (no sub-folders), by name. */
    static Map<String, String> hashes(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                m.put(f.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return m;
    }

    @Test
    void aFreshRunRefusesAFolderHoldingAnotherRunAndWritesNothingThere(@TempDir Path out) throws Exception {
        Cli first = Cli.run(Cli.trainArgs(out, "--charts=true"));
        assertEquals(0, first.code, first.err);
        Map<String, String> before = hashes(out);
        assertTrue(before.keySet().containsAll(List.of("ckpt.bin", "log.csv", "lr.png", "loss.png")), before.toString());
        // the battery's case: a run of another config (it would fail or stop before its first checkpoint)
        String e = Cli.run(Cli.trainArgs(out, "--max_iters=4", "--learning_rate=1e-2")).oneLineError();
        assertTrue(e.contains("out_dir " + out + " holds another run (ckpt.bin, log.csv, lr.png, loss.png)")
                && e.contains("--init_from=resume") && e.contains("another --out_dir")
                && e.contains("--overwrite_out_dir=true"), e);
        // the same command again is a fresh run too: it would replace the run's checkpoint
        Cli.run(Cli.trainArgs(out)).oneLineError();
        assertEquals(before, hashes(out), "nothing written, no .lock left");
        // a folder holding only a log (a run stopped before its first checkpoint) is another run's as well
        Path logOnly = Files.createDirectories(out.resolve("log-only"));
        Files.copy(out.resolve("log.csv"), logOnly.resolve("log.csv"));
        e = Cli.run(Cli.trainArgs(logOnly)).oneLineError();
        assertTrue(e.contains("holds another run (log.csv)"), e);
        // what stays possible: resuming the run, and replacing it on purpose
        Cli resumed = Cli.run(Cli.trainArgs(out, "--init_from=resume", "--max_iters=4"));
        assertEquals(0, resumed.code, resumed.err);
        assertEquals(4, Checkpoint.load(out.resolve(Checkpoint.FILE_NAME)).header().iter_num);
        Cli replaced = Cli.run(Cli.trainArgs(out, "--overwrite_out_dir=true"));
        assertEquals(0, replaced.code, replaced.err);
        assertEquals(2, Checkpoint.load(out.resolve(Checkpoint.FILE_NAME)).header().iter_num);
        assertEquals(2, TrainingLog.load(out.resolve("log.csv")).table().intColumn("iter").max(), 0.0,
                "the log is the new run's, not the old one's rows up to iteration 4");
    }

    /** `gptkit cmd default --key=value...` with c's keys (and extra ones, which win). */
    static String[] args(String cmd, TrainConfig c, String... extra) {
        // a key given twice is an error: an extra one replaces the config's
        Map<String, Object> keys = new java.util.LinkedHashMap<>(c.toMap());
        for (String e : extra) {
            keys.put(e.substring(2, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        List<String> a = new java.util.ArrayList<>(List.of(cmd, "default"));
        keys.forEach((k, v) -> a.add("--" + k + "=" + v));
        return a.toArray(new String[0]);
    }

    @Test
    void loraMergeRefusesAnExistingCheckpointAndAFinetuneWithoutOneSaysSo(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Path ft = tmp.resolve("ft");
        Path other = tmp.resolve("other");
        assertEquals(0, Cli.run(Cli.trainArgs(base)).code);
        assertEquals(0, Cli.run(Cli.trainArgs(other, "--seed=7")).code);
        TrainConfig lora = TinyCorpus.config(ft);
        lora.init_from = base.toString();
        lora.lora_rank = 2;
        lora.max_iters = 5;
        try (Trainer t = new Trainer(lora, Parts.library(), TinyCorpus.quiet())) {
            t.run();
        }
        assertTrue(Files.exists(ft.resolve(LoraCheckpoint.FILE_NAME)));
        Map<String, String> before = hashes(other);
        String e = Cli.run("lora-merge", "--base=" + base, "--lora=" + ft, "--out_dir=" + other).oneLineError();
        assertTrue(e.contains(other.resolve("ckpt.bin") + " is there already") && e.contains("--overwrite"), e);
        assertEquals(before, hashes(other), "the other model's ckpt.bin is untouched");
        Cli merged = Cli.run("lora-merge", "--base=" + base, "--lora=" + ft, "--out_dir=" + other, "--overwrite");
        assertEquals(0, merged.code, merged.err);
        assertTrue(merged.out.contains("merged "), merged.out);

        // finetune: adapters that never got a checkpoint end with a warning, not "done" alone
        Path root = gptkit.sft.SftTest.songci(tmp.resolve("data"));
        Path poems = tmp.resolve("poems");
        TrainConfig pre = gptkit.sft.SftTest.tiny(root, gptkit.songci.SongCiSets.POEMS, poems);
        assertEquals(0, Cli.run(args("train", pre, "--max_iters=4", "--eval_interval=4")).code);
        Path none = tmp.resolve("sft-none");
        TrainConfig sft = gptkit.sft.SftTest.tiny(root, gptkit.songci.SongCiSets.SFT, none);
        Cli c = Cli.run(args("finetune", sft, "--init_from=" + poems, "--lora_rank=2", "--max_iters=3",
                "--eval_interval=5"));
        assertEquals(0, c.code, c.err);
        assertFalse(Files.exists(none.resolve(LoraCheckpoint.FILE_NAME)));
        assertTrue(c.err.contains("warning: no lora.bin written in " + none)
                && c.err.contains("eval_interval=5 > max_iters=3") && c.err.contains("nothing to merge"), c.err);
    }

    /** A LossEstimator whose val loss never goes below iteration 0's: nothing is ever saved. */
    @Test
    void aRunWhoseValNeverImprovesEndsWithAWarningNamingWhy(@TempDir Path out) throws Exception {
        TrainConfig c = TinyCorpus.config(out);
        c.max_iters = 10;
        c.always_save_checkpoint = false;
        Parts flat = Parts.library().with(Part.ESTIMATE_LOSS, (LossEstimator) (model, iters) -> new EstimateLoss.Losses(2.5, 2.5));
        try (Trainer t = new Trainer(c, flat, TinyCorpus.quiet())) {
            t.run();
            String w = t.noCheckpointWarning();
            assertTrue(w != null && w.startsWith("warning: no ckpt.bin written in " + out)
                    && w.contains("never improved on iteration 0's 2.5000") && w.contains("--always_save_checkpoint=true"),
                    String.valueOf(w));
        }
        assertFalse(Files.exists(out.resolve(Checkpoint.FILE_NAME)));
        c.always_save_checkpoint = true;
        c.overwrite_out_dir = true;
        try (Trainer t = new Trainer(c, flat, TinyCorpus.quiet())) {
            t.run();
            assertNull(t.noCheckpointWarning(), "a run that saved says nothing");
        }
    }

    @Test
    void chartsAndFilesAreWrittenWholeOrNotAtAll(@TempDir Path out) throws Exception {
        Path png = out.resolve("lr.png");
        TrainingLog log = new TrainingLog();
        log.step(0, 1e-3, 4.0, 10, 1000, 1);
        log.step(1, 2e-3, 3.5, 10, 1000, 1);
        Charts.saveAll(log.table(), out);
        byte[] old = Files.readAllBytes(png);
        // a second name for the same bytes: a chart written in place would change them, a renamed one does not
        Path link = Files.createLink(out.resolve("old-lr.png"), png);
        log.step(2, 3e-3, 3.0, 10, 1000, 1);
        Charts.saveAll(log.table(), out);
        byte[] good = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(good, 4));
        assertFalse(java.util.Arrays.equals(old, good), "the chart was redrawn");
        assertArrayEquals(old, Files.readAllBytes(link), "lr.png replaced by a rename, not rewritten in place");
        Files.delete(link);
        // a writer that fails half-way (a full disk) leaves the old file and no temp file
        IOException e = assertThrows(IOException.class, () -> SafeFiles.writeAtomically(png, o -> {
            o.write(new byte[] {1, 2, 3});
            throw new IOException("No space left on device");
        }));
        assertTrue(SafeFiles.isDiskFull(e));
        assertArrayEquals(good, Files.readAllBytes(png));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("loss.png", "lr.png"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void tempFilesOfKilledSavesAreRemovedAtTheNextStartThoseOfLiveProcessesKept(@TempDir Path out) throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        long dead = p.pid(); // ended: its temp files are left-overs
        long live = ProcessHandle.current().pid();
        Files.createDirectories(out);
        Path stale1 = Files.write(out.resolve("ckpt.bin." + dead + ".9f3a2c.tmp"), new byte[5000]);
        Path stale2 = Files.write(out.resolve("log.csv." + dead + ".ab12.tmp"), new byte[10]);
        Path saving = Files.write(out.resolve("ckpt.bin." + live + ".77.tmp"), new byte[10]);
        Path mine = Files.write(out.resolve("notes.tmp"), new byte[10]);
        Cli c = Cli.run(Cli.trainArgs(out));
        assertEquals(0, c.code, c.err);
        assertTrue(c.out.contains("removed 2 temp files (5,010 bytes) left in " + out + " by runs killed while saving"),
                c.out);
        assertFalse(Files.exists(stale1) || Files.exists(stale2));
        assertTrue(Files.exists(saving) && Files.exists(mine), "a live process's save and other files stay");
    }

    @Test
    void aFullDiskIsOneLineNamingTheFolderTheSpaceAndWhatToDo(@TempDir Path tmp) throws Exception {
        // the message itself, for any full disk (Windows' words too)
        IOException full = OutDir.diskFull(new IOException("No space left on device"), tmp, "ckpt.bin", 50L << 20,
                "The checkpoint of iteration 4 in X is untouched.");
        assertTrue(full.getMessage().startsWith("the disk of " + tmp.toAbsolutePath() + " is full: writing ckpt.bin failed "
                + "(needs about 50 MB, free: ") && full.getMessage().contains("choose another --out_dir")
                && full.getMessage().endsWith("The checkpoint of iteration 4 in X is untouched."), full.getMessage());
        IOException other = new IOException("Input/output error");
        assertTrue(OutDir.diskFull(other, tmp, "x", -1, "") == other, "other errors pass unchanged");

        // a real one: a 2 MB tmpfs (root only)
        Path fs = Files.createDirectories(tmp.resolve("fs"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", fs.toString())
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(m.waitFor(20, TimeUnit.SECONDS) && m.exitValue() == 0,
                "mounting a tmpfs is not permitted here");
        try {
            Path run = fs.resolve("run");
            assertEquals(0, Cli.run(Cli.trainArgs(run)).code);
            Map<String, String> before = hashes(run);
            long ckpt = Files.size(run.resolve(Checkpoint.FILE_NAME));
            fill(fs.resolve("filler"), Files.getFileStore(fs).getUsableSpace() - ckpt / 2); // room for the log, not a ckpt
            String e = Cli.run(Cli.trainArgs(run, "--init_from=resume", "--max_iters=4")).oneLineError();
            assertTrue(e.contains("the disk of " + run.toAbsolutePath() + " is full: writing ckpt.bin of iteration 2")
                    && e.contains("needs about ") && e.contains("free: ") && e.contains("another --out_dir")
                    && e.contains("The checkpoint of iteration 2 in " + run + " is untouched"), e);
            assertEquals(before, hashes(run), "the checkpoint and log as they were; no temp file, no .lock");
            fill(fs.resolve("filler2"), Long.MAX_VALUE); // nothing left
            Path fresh = fs.resolve("fresh");
            e = Cli.run(Cli.trainArgs(fresh)).oneLineError();
            assertTrue(e.contains("the disk of " + fresh.toAbsolutePath() + " is full") && e.contains("free: 0 bytes")
                    && e.contains("Nothing was written."), e);
            assertFalse(Files.exists(fresh.resolve(OutDirLock.FILE_NAME)), "no 0-byte .lock left");
        } finally {
            new ProcessBuilder("umount", fs.toString()).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Writes zeros into f until it holds n bytes or the disk is full. */
    static void fill(Path f, long n) throws IOException {
        byte[] page = new byte[4096];
        try (OutputStream o = Files.newOutputStream(f)) {
            for (long w = 0; w < n; w += page.length) {
                o.write(page, 0, (int) Math.min(page.length, n - w));
            }
        } catch (IOException e) {
            if (!SafeFiles.isDiskFull(e)) {
                throw e;
            }
        }
    }

    @Test
    void aStopRequestEndsTheRunAtAStepBoundaryWithItsLogWritten(@TempDir Path out) throws Exception {
        TrainConfig c = TinyCorpus.config(out);
        try (Trainer t = new Trainer(c, Parts.library(), TinyCorpus.quiet())) {
            t.listen(new TrainingListener() {
                @Override
                public void iteration(int iter, int maxIters, double ms, double tps) {
                    if (iter == 7) {
                        t.requestStop(); // as Ctrl-C does, from the signal's thread
                    }
                }
            });
            Trainer.Result r = t.run();
            assertTrue(t.stopped());
            assertEquals(8, r.iterNum(), "iterations 0..7 trained, 8 not begun");
            assertEquals(5, t.checkpointIter());
            assertEquals(5, Checkpoint.load(out.resolve(Checkpoint.FILE_NAME)).header().iter_num);
            assertEquals(7, TrainingLog.load(out.resolve("log.csv")).table().intColumn("iter").max(), 0.0,
                    "the log holds every iteration done");
        }
        assertFalse(Files.exists(out.resolve(OutDirLock.FILE_NAME)));
    }

    @Test
    void ctrlCStopsTheCommandAtAStepBoundarySaysWhereToResumeAndExits130(@TempDir Path out) throws Exception {
        List<String> cmd = Cli.withDefaultSigint(Cli.command(Cli.trainArgs(out, "--max_iters=1000000",
                "--eval_interval=5")));
        Assumptions.assumeTrue(cmd != null, "this JVM ignores SIGINT (started in the background) and there is no "
                + "`env --default-signal` to give the child Ctrl-C back");
        Process p = new ProcessBuilder(cmd).start();
        StringBuilder err = new StringBuilder();
        Thread drainErr = new Thread(() -> new BufferedReader(new InputStreamReader(p.getErrorStream())).lines()
                .forEach(l -> {
                    synchronized (err) {
                        err.append(l).append('\n');
                    }
                }));
        drainErr.start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("step 10:")) {
                // past two checkpoints (iterations 5 and 10)
            }
            assertTrue(line != null, "the run printed step 10");
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor()); // env exec'd java
            Thread drainOut = new Thread(() -> r.lines().forEach(l -> { })); // to the end, never blocking the wait
            drainOut.setDaemon(true);
            drainOut.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s of Ctrl-C; stderr: " + err);
            drainErr.join(10_000);
            String e = err.toString();
            assertEquals(130, p.exitValue(), e);
            Matcher m = Pattern.compile("stopped at iteration (\\d+) \\(Ctrl-C\\); the last checkpoint is iteration (\\d+) "
                    + "in (\\S+): resume with ./gptkit train default .* --init_from=resume --out_dir=(\\S+)\\n").matcher(e);
            assertTrue(m.find(), e);
            assertEquals(out.toString(), m.group(3));
            assertEquals(out.toString(), m.group(4));
            int stoppedAt = Integer.parseInt(m.group(1));
            int ckpt = Integer.parseInt(m.group(2));
            assertTrue(ckpt >= 10 && ckpt <= stoppedAt, e);
            assertEquals(ckpt, Checkpoint.load(out.resolve(Checkpoint.FILE_NAME)).header().iter_num, "intact");
            double last = TrainingLog.load(out.resolve("log.csv")).table().intColumn("iter").max();
            assertTrue(last == stoppedAt - 1 || last == stoppedAt, "the log holds the iterations done: " + last);
            assertFalse(Files.exists(out.resolve(OutDirLock.FILE_NAME)), "the lock released");
            // the advice works: the same command with --init_from=resume continues from the checkpoint
            Cli resumed = Cli.run(Cli.trainArgs(out, "--init_from=resume", "--max_iters=" + (ckpt + 2)));
            assertEquals(0, resumed.code, resumed.err);
            assertTrue(resumed.out.contains("Resuming training from " + out), resumed.out);
        } finally {
            p.destroyForcibly();
        }
    }
}

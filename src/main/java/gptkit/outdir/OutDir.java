package gptkit.outdir;

import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.LoraCheckpoint;
import gptkit.files.SafeFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks on a run's out_dir before anything is trained: it must be a folder we can write
 * ({@link #check}), it must not hold another dataset's checkpoint ({@link #checkOwnership}), and
 * a run given --dataset=X but no --out_dir writes to out-X ({@link #defaultFor}).
 */
public final class OutDir {
    /** The override key for {@link #checkOwnership}. */
    public static final String OVERRIDE_KEY = "overwrite_out_dir";

    private OutDir() {}

    /**
     * Refuses an out_dir that cannot be created or written (a read-only place, a file in the way,
     * /proc), naming the reason; creates it otherwise. Called by the Trainer's constructor after
     * TrainConfig.validate, which refuses an empty one.
     */
    public static Path check(String outDir) {
        Path dir;
        try {
            dir = Path.of(outDir);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("out_dir '" + outDir + "' is not a valid path: " + e.getMessage());
        }
        String fix = " Choose a folder you can write, e.g. --out_dir=out-mytext (relative paths are under "
                + Path.of("").toAbsolutePath() + ").";
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("out_dir " + dir + " is a file, not a folder." + fix);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("out_dir " + dir + " cannot be created (" + SafeFiles.reason(e) + ")." + fix, e);
        }
        Path probe = SafeFiles.tempBeside(dir.resolve(".write-test"));
        try {
            Files.writeString(probe, "", StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("out_dir " + dir + " is not writable (" + SafeFiles.reason(e) + "): the "
                    + "checkpoint could never be saved." + fix, e);
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                // best effort
            }
        }
        return dir;
    }

    /** The files of a run in its out_dir: a fresh run refuses a folder holding any of them. */
    public static final List<String> RUN_FILES = List.of(Checkpoint.FILE_NAME, LoraCheckpoint.FILE_NAME, "log.csv",
            "lr.png", "loss.png");

    /**
     * Refuses to start a fresh run (init_from=scratch or a base model) in an out_dir that holds
     * another run's files (ckpt.bin, lora.bin, log.csv, the charts) unless overwrite is true
     * (--overwrite_out_dir=true): the fresh run would replace the log and charts at once and the
     * checkpoint only at its first save, so a run that stops before then would leave the
     * checkpoint of one run beside the log of another. A checkpoint of another dataset or
     * vocabulary gets its own message. A resume (the same run) is checked by the Trainer itself.
     */
    public static void checkOwnership(Path outDir, String dataset, String vocab, boolean overwrite)
            throws IOException {
        if (overwrite) {
            return;
        }
        Path ckpt = outDir.resolve(Checkpoint.FILE_NAME);
        String replace = " Use another --out_dir, or pass --" + OVERRIDE_KEY + "=true to replace it.";
        if (Files.isRegularFile(ckpt)) {
            Checkpoint.Header h;
            try {
                h = Checkpoint.load(ckpt).header();
            } catch (IOException e) {
                throw new IOException("out_dir " + outDir + " holds a checkpoint that cannot be read (" + e.getMessage()
                        + ")." + replace, e);
            }
            Object saved = h.config == null ? null : h.config.get("dataset");
            String fix = " Use another --out_dir (e.g. --out_dir=" + freeFor(outDir, dataset) + "), resume it with the "
                    + "same dataset, or pass --" + OVERRIDE_KEY + "=true to replace it.";
            if (saved != null && !saved.equals(dataset)) {
                throw new IllegalArgumentException(String.format("out_dir %s holds the checkpoint of a model trained "
                        + "on dataset '%s'; this run trains on '%s' and would overwrite it.%s", outDir, saved, dataset,
                        fix));
            }
            if (h.vocab != null && vocab != null && !h.vocab.equals(vocab)) {
                throw new IllegalArgumentException(String.format("out_dir %s holds the checkpoint of a model with "
                        + "another vocabulary (%d characters; this run's has %d), although both are called '%s'; this "
                        + "run would overwrite it.%s", outDir, h.vocab.codePointCount(0, h.vocab.length()),
                        vocab.codePointCount(0, vocab.length()), dataset, fix));
            }
        }
        List<String> found = RUN_FILES.stream().filter(f -> Files.exists(outDir.resolve(f))).toList();
        if (!found.isEmpty()) {
            throw new IllegalArgumentException(String.format("out_dir %s holds another run (%s): this fresh run would "
                    + "replace them. Continue that run with --init_from=resume, train into another --out_dir, or pass "
                    + "--%s=true to replace it.", outDir, String.join(", ", found), OVERRIDE_KEY));
        }
    }

    /**
     * A command that writes one model file (lora-merge's ckpt.bin) refuses a file that is there
     * unless its --overwrite flag (named by flag) is given.
     */
    public static void refuseExisting(Path file, boolean overwrite, String flag) {
        if (!overwrite && Files.exists(file)) {
            throw new IllegalArgumentException(String.format("%s is there already (a model of another run): this "
                    + "command would replace it. Give another folder, or pass %s to replace it.", file, flag));
        }
    }

    // FILE.<pid>.<hex>.tmp: the temp names of SafeFiles.tempBeside
    private static final Pattern TEMP = Pattern.compile(".+\\.(\\d+)\\.[0-9a-f]{1,16}\\.tmp");

    /**
     * Removes the temp files (checkpoints, logs, charts half written) that processes killed while
     * saving left in out_dir; those of a live process (a save in progress) stay. Call it holding
     * out_dir's lock. Says what it freed on out.
     */
    public static void removeStaleTemps(Path outDir, PrintStream out) {
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(outDir)) {
            files.forEach(f -> {
                Matcher m = TEMP.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f) && !alive(m.group(1))) {
                    stale.add(f);
                }
            });
        } catch (IOException e) {
            return; // nothing to clean where nothing can be listed
        }
        long bytes = 0;
        int removed = 0;
        for (Path f : stale) {
            try {
                long size = Files.size(f);
                Files.delete(f);
                bytes += size;
                removed++;
            } catch (IOException e) {
                // another cleaner got it first, or it cannot be removed: it does no harm
            }
        }
        if (removed > 0) {
            out.printf("removed %d temp file%s (%,d bytes) left in %s by runs killed while saving%n", removed,
                    removed == 1 ? "" : "s", bytes, outDir);
        }
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not a pid of ours: leave it
        }
    }

    /**
     * A write into out_dir that failed for want of space, as one message: the folder, the bytes
     * needed (when known, else -1), the free space, and what to do; other exceptions unchanged.
     */
    public static IOException diskFull(IOException e, Path dir, String what, long needed, String untouched) {
        if (!SafeFiles.isDiskFull(e)) {
            return e;
        }
        long free = -1;
        try {
            free = Files.getFileStore(Files.exists(dir) ? dir : dir.toAbsolutePath().getParent()).getUsableSpace();
        } catch (IOException | RuntimeException ignored) {
            // the free space is only a hint
        }
        return new IOException(String.format("the disk of %s is full: writing %s failed (%sfree: %s). Free some space "
                + "there, or choose another --out_dir on a disk with room. %s", dir.toAbsolutePath(), what,
                needed >= 0 ? "needs about " + bytes(needed) + ", " : "", free >= 0 ? bytes(free) : "unknown",
                untouched), e);
    }

    private static String bytes(long n) {
        return n >= 10L << 20 ? String.format("%,d MB", n >> 20) : String.format("%,d bytes", n);
    }

    /** A folder to suggest instead of outDir: out-X, or out-X-2, -3, ... beside it, never outDir or one in use. */
    static String freeFor(Path outDir, String dataset) {
        Path parent = outDir.toAbsolutePath().normalize().getParent();
        String name = defaultFor(dataset);
        for (int k = 2; parent != null && (parent.resolve(name).equals(outDir.toAbsolutePath().normalize())
                || Files.exists(parent.resolve(name))); k++) {
            name = defaultFor(dataset) + "-" + k;
        }
        Path rel = outDir.getParent();
        return rel == null ? name : rel.resolve(name).toString();
    }

    /** The out_dir of a run on dataset X when none is given: out-X. */
    public static String defaultFor(String dataset) {
        return "out-" + dataset;
    }

    /**
     * The out_dir a run should use: the one given, or out-X when --dataset=X was given on the command
     * line but --out_dir was not (the preset's out_dir belongs to the preset's dataset).
     */
    public static String resolve(String configuredOutDir, String dataset, List<String> overrides) {
        boolean givenDataset = overrides.stream().anyMatch(o -> o.startsWith("--dataset="));
        boolean givenOutDir = overrides.stream().anyMatch(o -> o.startsWith("--out_dir="));
        return givenDataset && !givenOutDir ? defaultFor(dataset) : configuredOutDir;
    }

    /** The same for a config map (TrainConfig.toMap()), for callers that hold no override list. */
    static String resolve(Map<String, Object> config, List<String> overrides) {
        return resolve(String.valueOf(config.get("out_dir")), String.valueOf(config.get("dataset")), overrides);
    }
}

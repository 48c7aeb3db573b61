package gptkit.train;

import gptkit.SafeFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

    /**
     * Refuses to start a fresh run in an out_dir whose ckpt.bin belongs to another dataset or
     * vocabulary (the run would overwrite it at its first checkpoint) unless overwrite is true
     * (--overwrite_out_dir=true). A resume is checked by the Trainer itself.
     */
    public static void checkOwnership(Path outDir, String dataset, String vocab, boolean overwrite)
            throws IOException {
        Path ckpt = outDir.resolve(Checkpoint.FILE_NAME);
        if (overwrite || !Files.isRegularFile(ckpt)) {
            return;
        }
        Checkpoint.Header h;
        try {
            h = Checkpoint.load(ckpt).header();
        } catch (IOException e) {
            throw new IOException("out_dir " + outDir + " holds a checkpoint that cannot be read (" + e.getMessage()
                    + "). Use another --out_dir, or pass --" + OVERRIDE_KEY + "=true to replace it.", e);
        }
        Object saved = h.config == null ? null : h.config.get("dataset");
        String fix = " Use another --out_dir (e.g. --out_dir=" + freeFor(outDir, dataset) + "), resume it with the same "
                + "dataset, or pass --" + OVERRIDE_KEY + "=true to replace it.";
        if (saved != null && !saved.equals(dataset)) {
            throw new IllegalArgumentException(String.format("out_dir %s holds the checkpoint of a model trained on "
                    + "dataset '%s'; this run trains on '%s' and would overwrite it.%s", outDir, saved, dataset, fix));
        }
        if (h.vocab != null && vocab != null && !h.vocab.equals(vocab)) {
            throw new IllegalArgumentException(String.format("out_dir %s holds the checkpoint of a model with another "
                    + "vocabulary (%d characters; this run's has %d), although both are called '%s'; this run would "
                    + "overwrite it.%s", outDir, h.vocab.codePointCount(0, h.vocab.length()),
                    vocab.codePointCount(0, vocab.length()), dataset, fix));
        }
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

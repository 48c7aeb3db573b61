package gptkit.checkpoint;

import gptkit.config.TrainConfig;
import gptkit.data.Prepare;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which data a checkpoint was trained on: the sha256 of train.bin, val.bin and vocab.txt as the
 * data folder's meta.json records them, kept in the checkpoint's header. A dataset prepared again
 * from another text under the same name (and with the same characters) passes every vocabulary
 * check; these hashes tell the two apart, so a resume does not go on silently on text the model
 * never saw, and a fresh run does not overwrite the model of the first text. Fine-tuning
 * (init_from=DIR) is meant to change the data and is not checked here (its vocabulary is).
 */
public final class DataIdentity {
    /** The override key of the resume check. */
    public static final String OVERRIDE_KEY = "allow_other_data";

    /** The header's record: plain fields only (notebooks read headers with an old Gson). */
    public static final class Hashes {
        public String dir; // data_dir/dataset as the run was given it (said in messages; identity is the hashes)
        public String train_sha256;
        public String val_sha256;
        public String vocab_sha256;
    }

    private DataIdentity() {}

    /** The hashes of a prepared data folder; null for a folder without meta.json (an older gptkit's). */
    public static Hashes of(Path dataDir) throws IOException {
        Path meta = dataDir.resolve(Prepare.META);
        if (!Files.isRegularFile(meta)) {
            return null;
        }
        Prepare.Meta m = Prepare.readMeta(meta);
        Hashes h = new Hashes();
        h.dir = dataDir.toString();
        h.train_sha256 = m.train_sha256;
        h.val_sha256 = m.val_sha256;
        h.vocab_sha256 = m.vocab_sha256;
        return h;
    }

    /**
     * The run's data, after the checks: a resume (saved: the hashes in the checkpoint it resumes) on
     * other data is refused unless --allow_other_data=true. (A fresh run over out_dir's checkpoint,
     * whatever its data, is refused before this by OutDir.checkOwnership.) A checkpoint or folder of
     * an older gptkit has no hashes: not checked.
     */
    public static Hashes check(Path dataDir, TrainConfig cfg, Hashes saved, Path outDir, PrintStream out)
            throws IOException {
        Hashes now = of(dataDir);
        if (cfg.init_from.equals("resume")) {
            if (saved != null && now != null && !differs(saved, now).isEmpty()) {
                String both = describe(saved, now, outDir);
                if (!cfg.allow_other_data) {
                    throw new IllegalArgumentException(both + " Resuming would go on training on text the model has "
                            + "not seen. Resume on the data it was trained on (prepare it again from the same text), "
                            + "train from scratch into another --out_dir, or pass --" + OVERRIDE_KEY + "=true to "
                            + "continue on this data.");
                }
                out.println("note: " + both + " Continuing on this data (--" + OVERRIDE_KEY + "=true).");
            }
        }
        return now;
    }

    /** The files whose hashes differ. */
    private static List<String> differs(Hashes a, Hashes b) {
        List<String> d = new ArrayList<>();
        if (!Objects.equals(a.train_sha256, b.train_sha256)) {
            d.add("train.bin");
        }
        if (!Objects.equals(a.val_sha256, b.val_sha256)) {
            d.add("val.bin");
        }
        if (!Objects.equals(a.vocab_sha256, b.vocab_sha256)) {
            d.add("vocab.txt");
        }
        return d;
    }

    /** One sentence naming both folders and the short hashes of the files that differ. */
    private static String describe(Hashes saved, Hashes now, Path outDir) {
        List<String> files = differs(saved, now);
        return String.format("The checkpoint in %s was trained on %s (%s), but %s now holds other data (%s)%s.",
                outDir, saved.dir, shortHashes(saved, files), now.dir, shortHashes(now, files),
                Objects.equals(saved.dir, now.dir) ? ": it was prepared again from another text" : "");
    }

    private static String shortHashes(Hashes h, List<String> files) {
        List<String> s = new ArrayList<>();
        for (String f : files) {
            String sha = f.equals("train.bin") ? h.train_sha256 : f.equals("val.bin") ? h.val_sha256 : h.vocab_sha256;
            s.add(f + " " + (sha == null ? "none" : sha.substring(0, Math.min(12, sha.length()))));
        }
        return String.join(", ", s);
    }
}

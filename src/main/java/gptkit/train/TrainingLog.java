package gptkit.train;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The training log as a Tablesaw table, one row per logged or evaluated iteration:
 * iter, lr, loss (of the last micro-batch, as train.py prints it), train_loss and val_loss
 * (from estimate_loss, on eval rows), ms per iteration, tokens/s, grad_norm (before clipping).
 * Values a row does not have are missing.
 */
public final class TrainingLog {
    private final Table table = Table.create("training log",
            IntColumn.create("iter"), DoubleColumn.create("lr"), DoubleColumn.create("loss"),
            DoubleColumn.create("train_loss"), DoubleColumn.create("val_loss"),
            DoubleColumn.create("ms"), DoubleColumn.create("tokens_per_s"),
            DoubleColumn.create("grad_norm"));

    public Table table() {
        return table;
    }

    /** An evaluation row. */
    public void eval(int iter, double lr, double trainLoss, double valLoss) {
        row(iter, lr, Double.NaN, trainLoss, valLoss, Double.NaN, Double.NaN, Double.NaN);
    }

    /** A training-step row. */
    public void step(int iter, double lr, double loss, double ms, double tokensPerSec, double gradNorm) {
        row(iter, lr, loss, Double.NaN, Double.NaN, ms, tokensPerSec, gradNorm);
    }

    private void row(int iter, double lr, double loss, double tl, double vl, double ms, double tps, double gn) {
        table.intColumn("iter").append(iter);
        append("lr", lr);
        append("loss", loss);
        append("train_loss", tl);
        append("val_loss", vl);
        append("ms", ms);
        append("tokens_per_s", tps);
        append("grad_norm", gn);
    }

    private void append(String col, double v) {
        if (Double.isNaN(v)) {
            table.doubleColumn(col).appendMissing();
        } else {
            table.doubleColumn(col).append(v);
        }
    }

    /** Rows that are evaluations (val_loss present). */
    public Table evals() {
        return table.where(table.doubleColumn("val_loss").isNotMissing());
    }

    /** Rows that are training steps (loss present). */
    public Table steps() {
        return table.where(table.doubleColumn("loss").isNotMissing());
    }

    /** Writes the table as CSV, atomically. */
    public void save(Path csv) throws IOException {
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Path tmp = gptkit.files.SafeFiles.tempBeside(csv); // a name of its own per save, removed on failure
        try {
            table.write().csv(tmp.toFile());
            Files.move(tmp, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a log written by {@link #save}, e.g. to keep appending after a resume. */
    public static TrainingLog load(Path csv) throws IOException {
        TrainingLog log = new TrainingLog();
        if (!Files.exists(csv)) {
            return log;
        }
        Table t = Table.read().csv(csv.toFile());
        for (int r = 0; r < t.rowCount(); r++) {
            log.row(((Number) t.column("iter").get(r)).intValue(), d(t, "lr", r), d(t, "loss", r),
                    d(t, "train_loss", r), d(t, "val_loss", r), d(t, "ms", r), d(t, "tokens_per_s", r),
                    d(t, "grad_norm", r));
        }
        return log;
    }

    private static double d(Table t, String col, int r) {
        if (!t.columnNames().contains(col) || t.column(col).isMissing(r)) {
            return Double.NaN;
        }
        return ((Number) t.column(col).get(r)).doubleValue();
    }

    /** Drops rows at or after an iteration (a resumed run replays from there). */
    public void truncateFrom(int iter) {
        Table kept = table.where(table.intColumn("iter").isLessThan(iter));
        table.clear();
        table.append(kept);
    }
}

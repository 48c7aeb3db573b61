package gptkit.cli;

import gptkit.train.Trainer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * Ctrl-C during `train` and `finetune`: the first asks the trainer to stop at the next step
 * boundary (it writes the log so far; the command then says where to resume and exits 130), the
 * second ends the process at once (checkpoints are replaced atomically: the last one stays whole).
 * Also the line of a run so stopped.
 */
final class CtrlC implements AutoCloseable {
    static final int EXIT = 130; // 128 + SIGINT: what a shell reports for a command Ctrl-C ended

    private static final Signal INT = new Signal("INT");
    private final SignalHandler previous;
    private int presses; // only the signal thread touches it

    /** Installs the handler for t's run; close() puts back the one before. */
    CtrlC(Trainer t) {
        SignalHandler prev;
        try {
            prev = Signal.handle(INT, sig -> {
                if (++presses == 1) {
                    System.err.println();
                    System.err.println("Ctrl-C: stopping after this step (press Ctrl-C again to stop at once)");
                    t.requestStop();
                } else {
                    System.err.println("stopped at once (second Ctrl-C)" + (t.checkpointIter() >= 0 ? ": the "
                            + "checkpoint of iteration " + t.checkpointIter() + " in " + t.outDir() + " is intact" : ""));
                    System.err.flush();
                    Runtime.getRuntime().halt(EXIT); // at once: no hook may wait for the step
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            prev = null; // no SIGINT to catch here (java -Xrs): Ctrl-C ends the JVM as it always did
        }
        previous = prev;
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(INT, previous);
        }
    }

    /** The line of a run stopped by Ctrl-C: where it stopped, its last checkpoint, the command to resume. */
    static String stoppedLine(Trainer t, String command, String preset, List<String> overrides) {
        String out = t.outDir().toString();
        if (t.checkpointIter() < 0) {
            return String.format("stopped at iteration %d (Ctrl-C), before this run's first checkpoint: there is "
                    + "nothing to resume (log.csv in %s holds the iterations done). Start again with ./gptkit %s %s "
                    + "--overwrite_out_dir=true", t.iterNum(), out, command, args(preset, overrides,
                    List.of("--overwrite_out_dir=")));
        }
        return String.format("stopped at iteration %d (Ctrl-C); the last checkpoint is iteration %d in %s: resume "
                + "with ./gptkit %s %s --init_from=resume --out_dir=%s", t.iterNum(), t.checkpointIter(), out,
                command, args(preset, overrides, List.of("--init_from=", "--out_dir=", "--overwrite_out_dir=")),
                quote(out));
    }

    /** preset and overrides as a command line, without the keys that the advice sets again. */
    private static String args(String preset, List<String> overrides, List<String> replaced) {
        List<String> a = new ArrayList<>(List.of(quote(preset)));
        for (String o : overrides) {
            if (replaced.stream().noneMatch(o::startsWith)) {
                a.add(quote(o));
            }
        }
        return String.join(" ", a);
    }

    private static String quote(String s) {
        return s.matches("[\\w@%+=:,./-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}

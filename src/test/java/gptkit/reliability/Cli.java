package gptkit.reliability;

import gptkit.TinyCorpus;
import gptkit.config.TrainConfig;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the command line in this JVM (or in a fresh one) and keeps what it printed. */
final class Cli {
    final int code;
    final String out;
    final String err;

    private Cli(int code, String out, String err) {
        this.code = code;
        this.out = out;
        this.err = err;
    }

    static Cli run(String... args) {
        PrintStream so = System.out;
        PrintStream se = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true));
            System.setErr(new PrintStream(e, true));
            code = gptkit.cli.Main.commandLine().execute(args);
        } finally {
            System.setOut(so);
            System.setErr(se);
        }
        return new Cli(code, o.toString(), e.toString());
    }

    /** `gptkit args...` in a new JVM with extra environment variables. */
    static Cli spawn(Map<String, String> env, int timeoutSec, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().putAll(env);
        pb.redirectErrorStream(false);
        Process p = pb.start();
        SPAWNED.add(p);
        var outF = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var errF = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("gptkit " + String.join(" ", args) + " did not end within " + timeoutSec + " s");
        }
        return new Cli(p.exitValue(), outF.get(10, TimeUnit.SECONDS), errF.get(10, TimeUnit.SECONDS));
    }

    /** Processes started by spawn: none outlives the test JVM, whatever a test's outcome. */
    private static final List<Process> SPAWNED = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> SPAWNED.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        })));
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx1g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "gptkit.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * cmd with Ctrl-C's SIGINT back at its default in the child, for the tests that press Ctrl-C. A suite started in
     * the background (`&`, nohup, some CI runners) ignores SIGINT; children inherit that, and a JVM started so never
     * installs a handler for it (POSIX: a job meant to survive Ctrl-C), so the Ctrl-C would go unheard. coreutils'
     * `env --default-signal` resets it; without one, cmd as it is when this JVM does not ignore SIGINT, else null.
     */
    static List<String> withDefaultSigint(List<String> cmd) throws java.io.IOException, InterruptedException {
        Process probe = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        if (probe.waitFor() == 0) {
            List<String> wrapped = new ArrayList<>(List.of("env", "--default-signal=INT"));
            wrapped.addAll(cmd);
            return wrapped;
        }
        return sigintIgnoredHere() ? null : cmd;
    }

    /** Whether this process ignores SIGINT (Linux: bit 2 of SigIgn in /proc/self/status); false where unknown. */
    private static boolean sigintIgnoredHere() throws java.io.IOException {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/self/status");
        if (!java.nio.file.Files.isReadable(status)) {
            return false;
        }
        for (String line : java.nio.file.Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes());
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** train default with the tiny config's keys as overrides (plus extra ones, which win). */
    static String[] trainArgs(Path out, String... extra) {
        TrainConfig c = TinyCorpus.config(out);
        c.max_iters = 2;
        c.eval_interval = 2;
        // a key given twice is an error: an extra one replaces the tiny config's
        Map<String, Object> keys = new java.util.LinkedHashMap<>(c.toMap());
        for (String e : extra) {
            keys.put(e.substring(2, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        List<String> a = new ArrayList<>(List.of("train", "default"));
        keys.forEach((k, v) -> a.add("--" + k + "=" + v));
        return a.toArray(new String[0]);
    }

    /** The error as the user sees it: exit code 2 and exactly one line starting with "error: ". */
    String oneLineError() {
        // XGBoost's own "[hh:mm:ss] Task 00000001 got rank 1" (a rank that joined its group) is not an error line
        String e = err.lines().filter(l -> !l.matches("\\[[0-9:]+\\] Task \\d+ got rank \\d+"))
                .collect(java.util.stream.Collectors.joining("\n")).strip();
        if (code != 2 || !e.startsWith("error: ") || e.lines().count() != 1) {
            throw new AssertionError("want exit 2 and one 'error: ' line, got exit " + code + "\nstderr:\n" + err
                    + "\nstdout:\n" + out);
        }
        return e;
    }
}

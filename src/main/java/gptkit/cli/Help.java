package gptkit.cli;

import gptkit.config.TrainConfig;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The parts of the help that are read, not written by hand: the presets are the config files among the
 * kit's resources (config/NAME.conf, each described by its first comment line), so a new preset shows
 * up in ./gptkit --help without anyone remembering to add it.
 */
final class Help {
    private Help() {}

    /**
     * The commands ./gptkit runs itself before Java starts (see the gptkit script): not subcommands of
     * Main, but the user types them the same way, so the help lists them too.
     */
    static final Map<String, String> LAUNCHER_COMMANDS = new LinkedHashMap<>();

    static {
        LAUNCHER_COMMANDS.put("notebooks", "the course: sets up the notebooks' kernel the first time, then opens "
                + "JupyterLab");
        LAUNCHER_COMMANDS.put("runs", "TensorBoard on the runs trained with --tracking=tensorboard");
        LAUNCHER_COMMANDS.put("grade", "the instructor's gradebook: grade DIR... (each student's exercises/ or zip)");
    }

    /** The preset names, from the config/*.conf files next to TrainConfig's class (a folder or the jar). */
    static List<String> presets() {
        TreeSet<String> names = new TreeSet<>();
        try {
            Path where = Path.of(TrainConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(where)) {
                try (Stream<Path> files = Files.list(where.resolve("config"))) {
                    files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".conf"))
                            .forEach(n -> names.add(n.substring(0, n.length() - ".conf".length())));
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("config/") && n.endsWith(".conf")
                                    && n.indexOf('/', "config/".length()) < 0)
                            .forEach(n -> names.add(n.substring("config/".length(), n.length() - ".conf".length())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the presets (config/*.conf) of the kit", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new ArrayList<>(names);
    }

    /** A preset's first comment line, up to its first full stop or colon: what the preset is. */
    static String describe(String preset) {
        try (InputStream in = TrainConfig.class.getResourceAsStream("/config/" + preset + ".conf")) {
            String first = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith("#")).findFirst().orElse("#").substring(1).strip();
            return first.split("(?<=[.:]) |[.:]$")[0].replaceAll("[.:]$", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The top-level help's footer: the launcher's own commands and every preset, as the Commands section. */
    static String footer(CommandLine.Help help) {
        StringBuilder s = new StringBuilder(String.format("%nRun by ./gptkit itself (not by java gptkit.cli.Main):%n"));
        s.append(table(help, LAUNCHER_COMMANDS));
        Map<String, String> presets = new LinkedHashMap<>();
        presets().forEach(p -> presets.put(p, describe(p)));
        s.append(String.format("%nConfigs (presets; or the path of a file of key = value lines):%n"));
        s.append(table(help, presets));
        return s.toString();
    }

    /** Two columns, names and what they are, wrapped at spaces to the help's width (picocli wraps at dots too). */
    private static String table(CommandLine.Help help, Map<String, String> rows) {
        int indent = 2 + rows.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        int width = Math.max(indent + 20, help.commandSpec().usageMessage().width());
        StringBuilder out = new StringBuilder();
        rows.forEach((name, what) -> {
            StringBuilder line = new StringBuilder(String.format("  %-" + (indent - 2) + "s", name));
            String gap = ""; // none before a line's first word
            for (String word : what.split(" ")) {
                if (!gap.isEmpty() && line.length() + 1 + word.length() > width) {
                    out.append(line).append(System.lineSeparator());
                    line = new StringBuilder(" ".repeat(indent + 2)); // a wrapped line: two more, as picocli's
                    gap = "";
                }
                line.append(gap).append(word);
                gap = " ";
            }
            out.append(line).append(System.lineSeparator());
        });
        return out.toString();
    }

    /** The presets in one line, for a command's description. */
    static String presetList() {
        return String.join(", ", presets());
    }
}

package gptkit.cli;

import gptkit.config.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./gptkit --help lists every command and every preset, read from where they are defined. */
class HelpTest {

    static String help() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--help"));
        return out.toString();
    }

    /** A name as the help shows it: at the start of a line, after two spaces. */
    static boolean listed(String help, String name) {
        return Pattern.compile("(?m)^  " + Pattern.quote(name) + " ").matcher(help).find();
    }

    @Test
    void helpListsEverySubcommandAndEveryCommandOfTheLauncher() throws Exception {
        String help = help();
        List<String> commands = new ArrayList<>();
        Main.commandLine().getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                commands.add(name);
            }
        });
        // the commands the gptkit script runs before Java: if [ "${1:-}" = NAME ]
        Matcher m = Pattern.compile("\"\\$\\{1:-}\" = ([a-z-]+)").matcher(Files.readString(Path.of("gptkit")));
        List<String> launcher = new ArrayList<>();
        while (m.find()) {
            launcher.add(m.group(1));
        }
        assertEquals(new HashSet<>(launcher), Help.LAUNCHER_COMMANDS.keySet(), "the gptkit script's own commands");
        commands.addAll(launcher);
        assertTrue(commands.size() >= 12, commands.toString());
        for (String c : commands) {
            assertTrue(listed(help, c), c + " is not in ./gptkit --help:\n" + help);
            assertTrue(c.matches("[a-z]+(-[a-z]+)*"), c + ": command names are kebab-case");
        }
        for (String old : Renamed.COMMANDS.keySet()) {
            assertFalse(listed(help, old), "the old name " + old + " is listed:\n" + help);
        }
    }

    @Test
    void helpListsEveryPresetConfigFile() throws Exception {
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of("src/main/resources/config"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf"))
                    .map(n -> n.substring(0, n.length() - ".conf".length())).sorted().toList();
        }
        assertEquals(files, Help.presets(), "the presets the help reads");
        assertEquals(new HashSet<>(files), new HashSet<>(TrainConfig.PRESETS), "TrainConfig.PRESETS and the files");
        String help = help();
        for (String p : files) {
            assertTrue(listed(help, p), p + " is not in ./gptkit --help:\n" + help);
        }
        assertTrue(help.contains("songci_sft_cpu        Stage 2 of MiniMind's recipe"), help);
    }

    @Test
    void anOldSpellingIsOneLineNamingTheNewOne() {
        String[][] cases = {
            {"formmatch out-songci-sft --num_samples=3", "formmatch is now form-match: ./gptkit form-match "
                    + "out-songci-sft --num_samples=3"},
            {"form-match out-songci-sft --samples=3", "--samples is now --num_samples: give --num_samples=3"},
            {"finetune songci_sft_cpu --prompt=浣溪沙", "--prompt is now --start: give --start=浣溪沙"},
            {"finetune songci_sft_cpu --sample=2", "--sample is now --num_samples: give --num_samples=2"},
            {"train shakespeare_char_cpu --start=ROMEO:", "--start=ROMEO: is the prompt of the sample at the end: "
                    + "give --sample=N too"},
        };
        for (String[] c : cases) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream old = System.err;
            int code;
            try {
                System.setErr(new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
                CommandLine cl = Main.commandLine();
                cl.setErr(new PrintWriter(System.err, true));
                code = cl.execute(c[0].split(" "));
            } finally {
                System.setErr(old);
            }
            String e = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(2, code, c[0] + ": " + e);
            assertTrue(e.startsWith("error: " + c[1]), c[0] + ": " + e);
            assertEquals(1, e.lines().count(), c[0] + ": " + e);
        }
    }
}

package gptkit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Old spellings of commands and flags (issue 22: one meaning per flag, kebab-case command names).
 * An old spelling is not a second way to say the same thing: it is one line naming the new one, so
 * a README or a script of an older kit gets told what to change instead of a bare "unknown".
 */
final class Renamed {
    private Renamed() {}

    /** Old command name to new one. */
    static final Map<String, String> COMMANDS = Map.of("formmatch", "form-match");

    /** Each old command as a hidden subcommand that takes anything and says the new name. */
    static void addCommands(CommandLine cl) {
        COMMANDS.forEach((old, now) -> {
            cl.addSubcommand(old, new CommandLine(new OldCommand(old, now)));
            cl.getSubcommands().get(old).getCommandSpec().usageMessage().hidden(true);
        });
    }

    /** The error an old flag gives (from the setter of a hidden option of that name). */
    static CommandLine.ParameterException flag(CommandSpec spec, String old, String now, String value, String why) {
        return new CommandLine.ParameterException(spec.commandLine(), old + " is now " + now + ": give " + now + "="
                + value + " (" + why + ")");
    }

    @CommandLine.Command(name = "renamed")
    static final class OldCommand implements Callable<Integer> {
        private final String old;
        private final String now;
        @Unmatched List<String> rest = new ArrayList<>();

        OldCommand(String old, String now) {
            this.old = old;
            this.now = now;
        }

        @Override
        public Integer call() {
            throw new IllegalArgumentException(old + " is now " + now + ": ./gptkit " + now
                    + (rest.isEmpty() ? "" : " " + String.join(" ", rest)) + " (see ./gptkit " + now + " --help)");
        }
    }
}

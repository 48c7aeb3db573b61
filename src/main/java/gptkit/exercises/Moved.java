package gptkit.exercises;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The kit's names that moved or were renamed (issue 22: packages that say what they hold, one name per idea).
 * A student's file written before still says the old ones, and javac's "cannot find symbol" does not say where
 * the class went: a file that does not compile gets one hint per old name it uses.
 */
final class Moved {
    /** old name (qualified, or a class's simple name where it is unique) -> the name to write now */
    static final Map<String, String> NAMES = new TreeMap<>(Map.ofEntries(
            Map.entry("gptkit.train.LrSchedule", "gptkit.schedule.LrSchedule"),
            Map.entry("gptkit.train.GetLr", "gptkit.schedule.GetLr"),
            Map.entry("gptkit.train.CheckpointStore", "gptkit.checkpoint.CheckpointStore"),
            Map.entry("gptkit.train.Checkpoint", "gptkit.checkpoint.Checkpoint"),
            Map.entry("gptkit.train.TensorFile", "gptkit.checkpoint.TensorFile"),
            Map.entry("gptkit.Tensors", "gptkit.autograd.Tensors"),
            Map.entry("gptkit.Engines", "gptkit.engine.Engines"),
            Map.entry("gptkit.SafeFiles", "gptkit.files.SafeFiles"),
            Map.entry("gptkit.exercises.Part", "gptkit.train.Part"),
            Map.entry("TrainingLoop", "gptkit.train.Loop (the loop part's interface)"),
            Map.entry("SftExample", "gptkit.data.SftMask")));

    private Moved() {
    }

    /** "; X is now Y" for each old name the source uses, in the table's order; "" when it uses none. */
    static String hints(String source) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, String> e : NAMES.entrySet()) {
            if (Pattern.compile("(?<![\\w.])" + Pattern.quote(e.getKey()) + "(?![\\w])").matcher(source).find()) {
                found.add(e.getKey() + " is now " + e.getValue());
            }
        }
        return found.isEmpty() ? "" : " (the kit renamed what this file uses: " + String.join("; ", found)
                + ": change the import or the name)";
    }
}

package gptkit.grading;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** What this run grades: -Dexercise=id[,id...] (default: all) and -Dgrade=all|solutions|exercises. */
public final class Selection {
    private Selection() {}

    /** The selected ids, or empty for all. Unknown ids are an error that lists the known ones. */
    public static Set<String> exercises() {
        String p = System.getProperty("exercise", "").trim();
        Set<String> ids = new LinkedHashSet<>();
        if (p.isEmpty() || p.equals("true")) { // bare -Dexercise means all
            return ids;
        }
        Arrays.stream(p.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(ids::add);
        List<String> known = Catalog.ids();
        for (String id : ids) {
            if (!known.contains(id)) {
                throw new IllegalArgumentException("-Dexercise=" + id + " is not an exercise; the ids are: "
                        + String.join(", ", known));
            }
        }
        return ids;
    }

    public static boolean selected(String id) {
        Set<String> ids = exercises();
        return ids.isEmpty() || ids.contains(id);
    }

    /** The targets to grade; solutions only where the folder exists, unless asked for by name. */
    public static List<Target> targets() {
        String g = System.getProperty("grade", "all").trim();
        List<Target> out = new ArrayList<>();
        switch (g.isEmpty() || g.equals("true") ? "all" : g) {
            case "all" -> {
                if (Target.SOLUTIONS.present()) {
                    out.add(Target.SOLUTIONS);
                }
                out.add(Target.EXERCISES);
            }
            case "solutions" -> out.add(Target.SOLUTIONS);
            case "exercises" -> out.add(Target.EXERCISES);
            default -> throw new IllegalArgumentException("-Dgrade=" + g + ": use all, solutions or exercises");
        }
        return out;
    }

    /**
     * The grader's self-tests (wrong answers must lose points, each wrong part fails the capstone)
     * belong to the instructor's runs: ./mvnw test with no flags (CI), -Dgrade=solutions or -Dgrade=all.
     * A student's -Dexercise=id or -Dgrade=exercises never waits for them (they took 70-140 s).
     */
    public static boolean selfTests() {
        String g = System.getProperty("grade", "").trim();
        if ((g.isEmpty() || g.equals("true")) && System.getProperty("exercise") != null) {
            return false;
        }
        return !targets().equals(List.of(Target.EXERCISES));
    }

    static String describe() {
        Set<String> ids = exercises();
        return (ids.isEmpty() ? "all exercises" : String.join(",", ids)) + ", "
                + targets().stream().map(t -> t.label).collect(Collectors.joining(" and "));
    }
}

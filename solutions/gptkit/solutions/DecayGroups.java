package gptkit.solutions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reference answer to exercises/DecayGroups.java. */
public final class DecayGroups {
    private DecayGroups() {}

    public static List<String> decayed(Map<String, long[]> shapes) {
        return select(shapes, true);
    }

    public static List<String> notDecayed(Map<String, long[]> shapes) {
        return select(shapes, false);
    }

    /** By shape, not by name: matrices and embeddings have 2 dimensions, biases and gains 1. */
    private static List<String> select(Map<String, long[]> shapes, boolean matrices) {
        List<String> out = new ArrayList<>();
        shapes.forEach((name, shape) -> {
            if ((shape.length >= 2) == matrices) {
                out.add(name);
            }
        });
        return out;
    }
}

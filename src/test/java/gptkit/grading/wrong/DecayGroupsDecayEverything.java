package gptkit.grading.wrong;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Wrong: weight decay on every parameter, biases and LayerNorm included. */
public final class DecayGroupsDecayEverything {
    public static List<String> decayed(Map<String, long[]> shapes) {
        return new ArrayList<>(shapes.keySet());
    }

    public static List<String> notDecayed(Map<String, long[]> shapes) {
        return new ArrayList<>();
    }
}

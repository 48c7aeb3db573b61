package gptkit.grading;

import gptkit.exercises.Part;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.Fixtures;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static gptkit.grading.Expect.that;

/**
 * Grades exercises/DecayGroups.java (decay_groups, notebook 03) on the named_parameters of a
 * PyTorch GPT with and without biases, split as configure_optimizers splits them
 * (fixtures/ex_decay_groups.json). Exact: names.
 */
@ExtendWith(ReportCard.class)
public class DecayGroupsExerciseTest {
    public interface Api {
        List<String> decayed(Map<String, long[]> shapes);

        List<String> notDecayed(Map<String, long[]> shapes);
    }

    record Model(Map<String, long[]> shapes, List<String> decay, List<String> noDecay) {}

    static Model model(String name) {
        JsonObject m = Fixtures.load("ex_decay_groups.json").getAsJsonObject(name);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        JsonArray names = m.getAsJsonArray("names");
        for (int i = 0; i < names.size(); i++) {
            shapes.put(names.get(i).getAsString(), Fixtures.longs(m.getAsJsonArray("shapes").get(i).getAsJsonArray()));
        }
        return new Model(shapes, strings(m.getAsJsonArray("decay")), strings(m.getAsJsonArray("no_decay")));
    }

    static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    static void contains(String group, List<String> got, List<String> want) {
        that(got != null, group + " returned null");
        for (String n : want) {
            that(got.contains(n), n + " is missing from " + group);
        }
    }

    static void excludes(String group, List<String> got, List<String> unwanted) {
        that(got != null, group + " returned null");
        for (String n : unwanted) {
            that(!got.contains(n), n + " must not be in " + group);
        }
    }

    public static final Exercise<Api> EXERCISE = Exercise.ofStatics(Part.DECAY_GROUPS, Api.class, List.of(
            Check.of("matrices and embeddings (dim >= 2) are decayed", 3,
                    "every tensor with 2 or more dimensions: the Linear weights, wte and wpe.",
                    a -> {
                        Model m = model("bias");
                        contains("decayed()", a.decayed(m.shapes()), m.decay());
                        excludes("notDecayed()", a.notDecayed(m.shapes()), m.decay());
                    }),
            Check.of("biases and LayerNorm weights and biases (dim < 2) are not decayed", 3,
                    "decide by the shape, p.dim() >= 2, not by the name: a LayerNorm weight is called 'weight' "
                            + "but is a vector, and decaying it towards 0 switches the layer off.",
                    a -> {
                        Model m = model("bias");
                        contains("notDecayed()", a.notDecayed(m.shapes()), m.noDecay());
                        excludes("decayed()", a.decayed(m.shapes()), m.noDecay());
                    }),
            Check.of("every parameter is in exactly one group, in the model's order", 2,
                    "one pass over the map, each name to one of the two lists; keep the iteration order.",
                    a -> {
                        Model m = model("bias");
                        List<String> both = new ArrayList<>(a.decayed(m.shapes()));
                        both.addAll(a.notDecayed(m.shapes()));
                        Set<String> seen = new HashSet<>();
                        both.forEach(n -> that(seen.add(n), n + " is in both groups"));
                        that(seen.equals(m.shapes().keySet()), "the groups hold " + seen.size() + " names, the model "
                                + m.shapes().size());
                        that(a.decayed(m.shapes()).equals(m.decay()), "decayed() is not in the model's order: "
                                + a.decayed(m.shapes()));
                    }),
            Check.of("a model without biases, and a scalar parameter", 2,
                    "with bias=False only LayerNorm weights are vectors; a 0-dimensional scalar (shape []) has "
                            + "dim 0 < 2: not decayed.",
                    a -> {
                        Model m = model("nobias");
                        Map<String, long[]> shapes = new LinkedHashMap<>(m.shapes());
                        shapes.put("logit_scale", new long[0]);
                        List<String> noDecay = new ArrayList<>(m.noDecay());
                        noDecay.add("logit_scale");
                        that(noDecay.equals(a.notDecayed(shapes)), "notDecayed() is " + a.notDecayed(shapes)
                                + ", expected " + noDecay);
                        that(m.decay().equals(a.decayed(shapes)), "decayed() is " + a.decayed(shapes)
                                + ", expected " + m.decay());
                    })));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

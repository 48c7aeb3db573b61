package gptkit.grading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.Fixtures;
import gptkit.train.Part;
import gptkit.optim.AdamW;
import gptkit.optim.ConfigureOptimizers;
import gptkit.optim.DecayGrouping;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static gptkit.grading.Expect.that;

/**
 * Grades exercises/ConfigureOptimizers.java (configure_optimizers, notebook 03): the DecayGrouping part.
 * Fixed inputs: the named_parameters of a PyTorch GPT with and without biases
 * (fixtures/ex_configure_optimizers.json, split there by configure_optimizers itself); drawn inputs:
 * names and shapes that mislead a rule by name (a 1-dim "weight", a 2-dim "bias"), and weight
 * decays, split by gptkit.optim.ConfigureOptimizers.configureOptimizers. Exact: names, order, the very tensors.
 */
@ExtendWith(ReportCard.class)
public class ConfigureOptimizersExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        DecayGrouping create();
    }

    static NDManager manager() {
        return NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch");
    }

    /** A fixture model's parameters (zeros of its shapes), by name in named_parameters' order. */
    static Map<String, NDArray> fixture(NDManager m, String model) {
        JsonObject o = Fixtures.load("ex_configure_optimizers.json").getAsJsonObject(model);
        JsonArray names = o.getAsJsonArray("names");
        Map<String, NDArray> ps = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            ps.put(names.get(i).getAsString(),
                    m.zeros(new Shape(Fixtures.longs(o.getAsJsonArray("shapes").get(i).getAsJsonArray()))));
        }
        return ps;
    }

    /**
     * Drawn for this run: 4-12 parameters of 0 to 3 dimensions in a shuffled order, always with a
     * 1-dim "weight" and a 2-dim "bias", whose names mislead a rule by name.
     */
    static Map<String, NDArray> drawn(NDManager m) {
        Random r = Grader.random();
        String[][] names = {
                {"logit_scale_%d"},                                                   // 0 dims
                {"h.%d.ln_1.weight", "h.%d.attn.c_proj.bias", "h.%d.norm.weight"},    // 1 dim
                {"h.%d.mlp.c_fc.weight", "wte_%d.weight", "h.%d.attn.rel_bias"},      // 2 dims
                {"h.%d.conv.weight", "h.%d.pos_bias"}};                               // 3 dims
        List<long[]> shapes = new ArrayList<>();
        List<String> picked = new ArrayList<>();
        picked.add(String.format("h.%d.ln_f.weight", 0));
        shapes.add(new long[] {1 + r.nextInt(8)});
        picked.add(String.format("h.%d.attn.bias", 1));
        shapes.add(new long[] {1 + r.nextInt(8), 1 + r.nextInt(8)});
        int n = 2 + r.nextInt(11);
        for (int i = 2; i < n; i++) {
            int dims = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(3);
            String[] choices = names[dims];
            picked.add(String.format(choices[r.nextInt(choices.length)], i));
            long[] shape = new long[dims];
            for (int d = 0; d < dims; d++) {
                shape[d] = 1 + r.nextInt(8);
            }
            shapes.add(shape);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < picked.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, r);
        Map<String, NDArray> ps = new LinkedHashMap<>();
        for (int i : order) {
            ps.put(picked.get(i), m.zeros(new Shape(shapes.get(i))));
        }
        return ps;
    }

    static double drawnDecay() {
        return Math.pow(10, -3 + 3 * Grader.random().nextDouble());
    }

    static String describe(Map<String, NDArray> ps) {
        List<String> out = new ArrayList<>();
        ps.forEach((n, p) -> out.add(n + " " + p.getShape()));
        return "{" + String.join(", ", out) + "}";
    }

    /** The part's groups for these parameters: not null, two of them, each with its map. */
    static List<AdamW.ParamGroup> groups(Api a, Map<String, NDArray> ps, double wd) {
        List<AdamW.ParamGroup> g = a.create().configureOptimizers(ps, wd);
        that(g != null, Msg.of("configureOptimizers returned null"));
        that(g.size() == 2, Msg.of("configureOptimizers returned %s groups; nanoGPT makes two: decayed, then not "
                + "decayed", g.size()));
        for (AdamW.ParamGroup x : g) {
            that(x != null && x.params() != null, Msg.of("a group (or its params map) is null"));
        }
        return g;
    }

    /** Every tensor of 2+ dims is in the first group, none in the second. */
    static void decayed(Api a, Map<String, NDArray> ps, double wd, String what) {
        List<AdamW.ParamGroup> g = groups(a, ps, wd);
        ps.forEach((n, p) -> {
            if (p.getShape().dimension() >= 2) {
                that(g.get(0).params().containsKey(n), Msg.of("%s (shape %s) is missing from the first group, the "
                        + "decayed one (%s)", n, p.getShape(), what));
                that(!g.get(1).params().containsKey(n), Msg.of("%s (shape %s) is in the second group, the not "
                        + "decayed one (%s)", n, p.getShape(), what));
            }
        });
    }

    /** Every tensor of fewer than 2 dims is in the second group, none in the first. */
    static void notDecayed(Api a, Map<String, NDArray> ps, double wd, String what) {
        List<AdamW.ParamGroup> g = groups(a, ps, wd);
        ps.forEach((n, p) -> {
            if (p.getShape().dimension() < 2) {
                that(g.get(1).params().containsKey(n), Msg.of("%s (shape %s) is missing from the second group, the "
                        + "not decayed one (%s)", n, p.getShape(), what));
                that(!g.get(0).params().containsKey(n), Msg.of("%s (shape %s) is in the first group, the decayed "
                        + "one (%s)", n, p.getShape(), what));
            }
        });
    }

    /** The first group has weightDecay, the second 0.0. */
    static void decays(Api a, Map<String, NDArray> ps, double wd) {
        List<AdamW.ParamGroup> g = groups(a, ps, wd);
        that(g.get(0).weightDecay() == wd && g.get(1).weightDecay() == 0.0, Msg.of("the groups' weight decays are "
                + "[%s, %s] for weight_decay %s; expected [%s, 0.0]: decayed group first", g.get(0).weightDecay(),
                g.get(1).weightDecay(), wd, wd));
    }

    /** Each group holds the library's names, in the params' order, as the same NDArray objects. */
    static void sameTensorsInOrder(Api a, Map<String, NDArray> ps, double wd, String what) {
        List<AdamW.ParamGroup> g = groups(a, ps, wd);
        List<AdamW.ParamGroup> want = ConfigureOptimizers.configureOptimizers(ps, wd);
        for (int i = 0; i < 2; i++) {
            List<String> got = new ArrayList<>(g.get(i).params().keySet());
            List<String> names = new ArrayList<>(want.get(i).params().keySet());
            that(got.equals(names), Msg.of("group %s holds %s, expected %s (the params' order; %s)", i, got, names,
                    what));
            for (String n : names) {
                that(g.get(i).params().get(n) == ps.get(n), Msg.of("group %s holds another tensor for %s than the "
                        + "params map: the groups must hold the model's own tensors, which the optimizer updates "
                        + "in place, not copies", i, n));
            }
        }
    }

    /** All of the above against the library. */
    static void all(Api a, Map<String, NDArray> ps, double wd, String what) {
        decayed(a, ps, wd, what);
        notDecayed(a, ps, wd, what);
        decays(a, ps, wd);
        sameTensorsInOrder(a, ps, wd, what);
    }

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.CONFIGURE_OPTIMIZERS, cls -> {
        Bind.Ctor<DecayGrouping> ctor = Bind.part(cls, DecayGrouping.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("matrices and embeddings (dim >= 2) are in the first, decayed group", 3,
                    "every tensor with 2 or more dimensions (p.getShape().dimension() >= 2): the Linear weights, "
                            + "wte and wpe, goes into the first group.",
                    a -> {
                        try (NDManager m = manager()) {
                            decayed(a, fixture(m, "bias"), 0.1, Msg.of("nanoGPT's GPT with biases"));
                            Map<String, NDArray> ps = drawn(m);
                            decayed(a, ps, drawnDecay(), Msg.of("drawn: %s", describe(ps)));
                        }
                    }),
            Check.of("biases and LayerNorm gains (dim < 2) are in the second group, not decayed", 3,
                    "decide by the shape, dimension() >= 2, not by the name: a LayerNorm weight is called "
                            + "'weight' but is a vector, and decaying it towards 0 switches the layer off.",
                    a -> {
                        try (NDManager m = manager()) {
                            notDecayed(a, fixture(m, "bias"), 0.1, Msg.of("nanoGPT's GPT with biases"));
                            Map<String, NDArray> ps = drawn(m);
                            notDecayed(a, ps, drawnDecay(), Msg.of("drawn: %s", describe(ps)));
                        }
                    }),
            Check.of("two groups, decayed first: weight decays [weightDecay, 0.0]", 2,
                    "return List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0)), in that "
                            + "order: the trainer prints the first as the decayed one.",
                    a -> {
                        try (NDManager m = manager()) {
                            decays(a, fixture(m, "bias"), 0.1);
                            decays(a, drawn(m), drawnDecay());
                        }
                    }),
            Check.of("every parameter in exactly one group, the same tensors (not copies), in the params' order", 2,
                    "one pass over params (a LinkedHashMap keeps its order), each (name, tensor) put into one of "
                            + "two LinkedHashMaps as it is: the optimizer updates the model's own tensors in place.",
                    a -> {
                        try (NDManager m = manager()) {
                            sameTensorsInOrder(a, fixture(m, "bias"), 0.1, Msg.of("nanoGPT's GPT with biases"));
                            Map<String, NDArray> ps = drawn(m);
                            sameTensorsInOrder(a, ps, drawnDecay(), Msg.of("drawn: %s", describe(ps)));
                        }
                    }),
            Check.of("a model without biases, and a scalar parameter (0 dims): not decayed", 2,
                    "with bias=False only the LayerNorm weights are vectors; a scalar has dimension() 0 < 2.",
                    a -> {
                        try (NDManager m = manager()) {
                            Map<String, NDArray> ps = fixture(m, "nobias");
                            ps.put("logit_scale", m.zeros(new Shape()));
                            all(a, ps, 0.1, Msg.of("nanoGPT's GPT without biases, and a scalar"));
                            Map<String, NDArray> d = drawn(m);
                            d.put("temperature", m.zeros(new Shape()));
                            all(a, d, drawnDecay(), Msg.of("drawn: %s", describe(d)));
                        }
                    }),
            Check.of("drawn names and shapes that mislead a rule by name, drawn weight decays", 2,
                    "only the number of dimensions decides: a 1-dim 'weight' is not decayed, a 2-dim 'bias' is. "
                            + "Use the weightDecay argument, not a number of your own.",
                    a -> {
                        try (NDManager m = manager()) {
                            for (int i = 0; i < 3; i++) {
                                Map<String, NDArray> ps = drawn(m);
                                all(a, ps, drawnDecay(), Msg.of("drawn: %s", describe(ps)));
                            }
                        }
                    })),
            new Exercise.Mistake("ConfigureOptimizersDecayEverything", "biases and LayerNorm gains",
                    "every parameter decayed, biases and LayerNorm gains included"),
            new Exercise.Mistake("ConfigureOptimizersByName", "biases and LayerNorm gains",
                    "decided by the name ('weight' is decayed) instead of the number of dimensions"),
            new Exercise.Mistake("ConfigureOptimizersSwapped", "two groups, decayed first",
                    "the not decayed group first"),
            new Exercise.Mistake("ConfigureOptimizersDecayInWrongGroup", "two groups, decayed first",
                    "weight_decay given to the group of biases and gains, 0.0 to the matrices"),
            new Exercise.Mistake("ConfigureOptimizersCopies", "every parameter in exactly one group",
                    "copies of the tensors in the groups: the optimizer would update copies, not the model"),
            new Exercise.Mistake("ConfigureOptimizersHashMap", "every parameter in exactly one group",
                    "HashMaps for the groups: the parameters' order is lost"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

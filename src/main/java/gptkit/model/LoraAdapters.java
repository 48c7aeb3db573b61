package gptkit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import gptkit.autograd.NoGrad;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LoRA adapters for a GPT, as MiniMind's model/model_lora.py makes them: for each adapted
 * projection NAME (e.g. transformer.h.0.attn.c_attn) two trainable tensors NAME.lora_A (r, in),
 * drawn normal(0, 0.02), and NAME.lora_B (out, r), zeros. They are plain named tensors beside the
 * base's, so the forward pass, float16 working copies, AdamW, clipping, DDP averaging and the
 * checkpoint all handle them as they handle any weight: the GPT's forward uses the LoRA part
 * ({@link LoraLinear}, the library's {@link Lora}) for a projection whose map holds NAME.lora_A.
 */
public final class LoraAdapters implements AutoCloseable {
    /**
     * Every linear projection of every block: QLoRA (Dettmers et al. 2023) found adapting all of
     * them matches full fine-tuning where attention's alone falls short. The embeddings (and the
     * lm_head tied to wte) and the LayerNorms stay frozen: the vocabulary is the base's.
     */
    public static final List<String> DEFAULT_TARGETS = List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");
    public static final String A = ".lora_A";
    public static final String B = ".lora_B";

    private final int rank;
    private final double alpha;
    private final List<String> targets;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    /** New adapters with the library's init: A normal(0, 0.02) from seed, B zeros. */
    public LoraAdapters(GPTConfig config, Device device, int rank, double alpha, List<String> targets, long seed) {
        this(config, device, rank, alpha, targets, seed, new Lora());
    }

    /** New adapters from part's init (the model starts as the base when B is zero). */
    public LoraAdapters(GPTConfig config, Device device, int rank, double alpha, List<String> targets, long seed,
                        LoraLinear part) {
        this.rank = rank;
        this.alpha = alpha;
        this.targets = List.copyOf(targets);
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        // a stream of its own: the base's init draws from SplittableRandom(seed), the adapters from its split
        SplittableRandom rng = new SplittableRandom(seed).split();
        Map<String, long[]> shapes = shapes(config, rank, targets);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (!e.getKey().endsWith(A)) {
                continue;
            }
            String layer = e.getKey().substring(0, e.getKey().length() - A.length());
            long[] w = GPT.shapes(config).get(layer + ".weight"); // (out, in)
            NDList ab = part.init(manager, w[1], w[0], rank, rng);
            for (int k = 0; k < 2; k++) {
                String name = layer + (k == 0 ? A : B);
                NDArray p = ab.get(k);
                if (!p.getShape().equals(new Shape(shapes.get(name)))) {
                    throw new IllegalStateException("the LoRA part's init gave " + name + " the shape " + p.getShape()
                            + ", expected " + new Shape(shapes.get(name)));
                }
                NDScope.unregister(p);
                p.setRequiresGradient(true);
                params.put(name, p);
            }
        }
    }

    /**
     * The adapters' names and shapes: for each block and target, NAME.lora_A (r, in) and
     * NAME.lora_B (out, r), in the base's order.
     */
    public static Map<String, long[]> shapes(GPTConfig config, int rank, List<String> targets) {
        if (rank < 1) {
            throw new IllegalArgumentException("lora_rank must be >= 1 for adapters, got " + rank);
        }
        Map<String, long[]> base = GPT.shapes(config);
        for (String t : targets) {
            if (!DEFAULT_TARGETS.contains(t)) {
                throw new IllegalArgumentException("lora_targets: '" + t + "' is not a projection of the GPT's "
                        + "blocks; choose among " + String.join(",", DEFAULT_TARGETS));
            }
        }
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String name : base.keySet()) {
            if (!name.endsWith(".weight") || !name.startsWith("transformer.h.")) {
                continue;
            }
            String layer = name.substring(0, name.length() - ".weight".length());
            if (targets.stream().noneMatch(t -> layer.endsWith("." + t))) {
                continue;
            }
            long[] w = base.get(name); // (out, in)
            m.put(layer + A, new long[] {rank, w[1]});
            m.put(layer + B, new long[] {w[0], rank});
        }
        return m;
    }

    /** W' = W + (alpha / r) B A for every adapted projection: a full set of weights, for sampling or export. */
    public Map<String, NDArray> merge(Map<String, NDArray> base) {
        Map<String, NDArray> merged = new LinkedHashMap<>();
        try (NoGrad ng = NoGrad.open()) {
            base.forEach((name, w) -> {
                String layer = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
                NDArray a = layer == null ? null : params.get(layer + A);
                merged.put(name, a == null ? w : w.add(params.get(layer + B).matMul(a).mul(alpha / rank)));
            });
        }
        return merged;
    }

    /** The trainable tensors by name (NAME.lora_A, NAME.lora_B): live, what AdamW updates. */
    public Map<String, NDArray> params() {
        return params;
    }

    public int rank() {
        return rank;
    }

    public double alpha() {
        return alpha;
    }

    public List<String> targets() {
        return targets;
    }

    public long numParams() {
        return params.values().stream().mapToLong(NDArray::size).sum();
    }

    /** "NAME.lora_A" -> "NAME.weight": the base weight an adapter tensor belongs to. */
    public static String baseWeight(String adapter) {
        return adapter.substring(0, adapter.lastIndexOf('.')) + ".weight";
    }

    @Override
    public void close() {
        manager.close();
    }
}

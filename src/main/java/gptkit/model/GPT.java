package gptkit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.engine.Kernels;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPT of nanoGPT's model.py, written as plain tensor functions over a map of named
 * weights (the names of nanoGPT's state_dict), so a reader sees every operation.
 *
 * <p>The model owns its float32 parameters; {@link #forward(Map, NDArray)} reads whatever
 * weights it is given, of any floating type. That is all mixed precision needs from the model:
 * gptkit.amp hands it float16 working copies, and the model knows nothing of dtypes.
 *
 * <p>lm_head shares its weight with transformer.wte (weight tying), so it is not in the map.
 */
public final class GPT implements AutoCloseable {
    static {
        gptkit.engine.Engines.init(); // a model built without the CLI (a notebook, a test) gets the same engine setup
    }

    private final GPTConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    // Constants inside the autograd graph must own their memory (DJL trap: a Java-number
    // scalar is freed right after the op, and backward would read freed memory). They are
    // float32 and meet the activations in the activations' type (see inTypeOf).
    private final NDArray attnScale; // 0-dimensional: libtorch keeps the other operand's type
    private final NDArray causalMask; // -inf above the diagonal: the positions attention must not see
    private final NDArray zeroBias; // LayerNorm's beta when bias=false
    private final NDArray nHead; // the number of heads, for the fused attention kernel
    private boolean fastAttention = true;
    private boolean training = true;
    private LoraLinear loraLinear = new Lora(); // for a projection whose weights hold NAME.lora_A
    private NDArray loraAlpha; // set by useLora: a constant inside the graph, owned by the model

    /** A model with nanoGPT's initialisation, drawn from {@code seed}. */
    public GPT(GPTConfig config, Device device, long seed) {
        this.config = config;
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        SplittableRandom rng = new SplittableRandom(seed);
        // GPT-2's scaled init of the residual projections: 0.02/sqrt(2*n_layer)
        double projStd = 0.02 / Math.sqrt(2.0 * config.n_layer());
        shapes(config).forEach((name, shape) -> {
            NDArray p;
            if (name.endsWith(".bias")) {
                p = manager.zeros(new Shape(shape));
            } else if (name.contains(".ln_")) { // LayerNorm gain
                p = manager.ones(new Shape(shape));
            } else {
                p = normal(rng, name.endsWith("c_proj.weight") ? projStd : 0.02, shape);
            }
            params.put(name, p);
        });
        attnScale = manager.create((float) (1.0 / Math.sqrt(config.head_size())));
        int t = config.block_size();
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                mask[i * t + j] = Float.NEGATIVE_INFINITY;
            }
        }
        causalMask = manager.create(mask, new Shape(t, t));
        zeroBias = manager.zeros(new Shape(config.n_embd()));
        nHead = manager.create((long) config.n_head());
        // the model outlives any NDScope it is built in
        NDScope.unregister(attnScale, causalMask, zeroBias, nHead);
        for (NDArray p : params.values()) {
            NDScope.unregister(p);
            p.setRequiresGradient(true);
        }
    }

    private NDArray normal(SplittableRandom rng, double std, long... shape) {
        int n = (int) new Shape(shape).size();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (nextGaussian(rng) * std);
        }
        return manager.create(v, new Shape(shape));
    }

    /**
     * Box-Muller written out: the weights a seed gives stay the same on every JDK (the JDK's
     * nextGaussian is free to change its algorithm between versions).
     */
    static double nextGaussian(java.util.random.RandomGenerator rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * nanoGPT's state_dict for these model arguments: every parameter's name and shape, in its
     * order (lm_head is tied to transformer.wte, so it is not listed).
     */
    public static Map<String, long[]> shapes(GPTConfig a) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long c = a.n_embd();
        m.put("transformer.wte.weight", new long[] {a.vocab_size(), c});
        m.put("transformer.wpe.weight", new long[] {a.block_size(), c});
        for (int i = 0; i < a.n_layer(); i++) {
            String h = "transformer.h." + i + ".";
            layerNorm(m, h + "ln_1", c, a.bias());
            linear(m, h + "attn.c_attn", 3 * c, c, a.bias());
            linear(m, h + "attn.c_proj", c, c, a.bias());
            layerNorm(m, h + "ln_2", c, a.bias());
            linear(m, h + "mlp.c_fc", 4 * c, c, a.bias());
            linear(m, h + "mlp.c_proj", c, 4 * c, a.bias());
        }
        layerNorm(m, "transformer.ln_f", c, a.bias());
        return m;
    }

    private static void linear(Map<String, long[]> m, String name, long out, long in, boolean bias) {
        m.put(name + ".weight", new long[] {out, in});
        if (bias) {
            m.put(name + ".bias", new long[] {out});
        }
    }

    private static void layerNorm(Map<String, long[]> m, String name, long c, boolean bias) {
        m.put(name + ".weight", new long[] {c});
        if (bias) {
            m.put(name + ".bias", new long[] {c});
        }
    }

    /** The model arguments (nanoGPT's GPTConfig). */
    public GPTConfig config() {
        return config;
    }

    /** The named float32 parameters, in nanoGPT's order (lm_head is tied to transformer.wte). */
    public Map<String, NDArray> params() {
        return params;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /**
     * LoRA: a projection NAME whose weights map holds NAME.lora_A and NAME.lora_B computes with
     * this part and alpha (see {@link LoraAdapters}); one without adapters stays a plain linear layer.
     */
    public void useLora(LoraLinear part, double alpha) {
        if (loraAlpha != null) {
            loraAlpha.close();
        }
        loraLinear = part;
        loraAlpha = manager.create((float) alpha);
        NDScope.unregister(loraAlpha);
    }

    /** requires_grad_(on) for every parameter: off freezes the base under LoRA (backward records nothing for it). */
    public void requireGradients(boolean on) {
        params.values().forEach(p -> p.setRequiresGradient(on));
    }

    /**
     * Attention through libtorch's fused scaled_dot_product_attention (on, the default, as nanoGPT
     * where PyTorch has it) or written out operation by operation (off: what the notebooks show).
     * The fused path is used where no dropout is applied inside attention: with dropout in
     * training the written-out path applies it to the attention weights, as nanoGPT's slow path.
     */
    public void fastAttention(boolean on) {
        this.fastAttention = on;
    }

    /** train() / eval(): dropout on or off. */
    public void train(boolean on) {
        this.training = on;
    }

    public boolean isTraining() {
        return training;
    }

    /** nanoGPT's get_num_params(non_embedding=True): position embeddings are not counted. */
    public long numParams(boolean nonEmbedding) {
        long n = 0;
        for (NDArray p : params.values()) {
            n += p.size();
        }
        return nonEmbedding ? n - params.get("transformer.wpe.weight").size() : n;
    }

    /** Logits from the model's own parameters: idx (B, T) of int64 token ids gives (B, T, vocab_size). */
    public NDArray forward(NDArray idx) {
        return forward(params, idx);
    }

    /** Logits computed with the given weights (same names and shapes as {@link #params()}). */
    public NDArray forward(Map<String, NDArray> w, NDArray idx) {
        long t = idx.getShape().get(1);
        if (t > config.block_size()) {
            throw new IllegalArgumentException(
                    "Cannot forward a sequence of length " + t + ", block size is only "
                            + config.block_size());
        }
        long b = idx.getShape().get(0);
        NDArray wte = get(w, "transformer.wte.weight");
        NDArray wpe = get(w, "transformer.wpe.weight");
        NDArray tok = JniUtils.embedding(pt(idx), pt(wte), false);
        NDArray pos = wpe.get(new NDIndex(":{}", t)); // the first t positions
        // The residual stream as (B*T, C), a row per token: each linear layer is then one matrix product
        // (a 3-D input costs a view before and after it, in forward and in backward). Only attention,
        // which mixes the tokens of a sequence, sees (B, T, ...).
        NDArray x = dropout(tok.add(pos)).reshape(b * t, config.n_embd());
        for (int i = 0; i < config.n_layer(); i++) {
            String h = "transformer.h." + i + ".";
            x = x.add(attention(w, layerNorm(w, x, h + "ln_1"), h + "attn.", b, t));
            x = x.add(mlp(w, layerNorm(w, x, h + "ln_2"), h + "mlp."));
        }
        x = layerNorm(w, x, "transformer.ln_f");
        return Kernels.linear(x, wte, null).reshape(b, t, wte.getShape().get(0)); // lm_head, tied to wte
    }

    /** forward plus cross-entropy against targets (B, T), with the model's own parameters. */
    public NDArray loss(NDArray idx, NDArray targets) {
        return CrossEntropy.crossEntropy(forward(idx), targets);
    }

    /** x (B*T, C) to (B*T, C): each token's view of itself and the tokens before it in its sequence. */
    private NDArray attention(Map<String, NDArray> w, NDArray x, String prefix, long b, long t) {
        long c = config.n_embd();
        int nh = config.n_head();
        long hs = c / nh;
        NDArray qkv = linear(w, x, prefix + "c_attn").reshape(b, t, 3 * c);
        if (fastAttention && (config.dropout() == 0.0 || !training)) {
            // nanoGPT's flash path: the same attention as below in one fused operation (Kernels.attention)
            return linear(w, Kernels.attention(qkv, nHead).reshape(b * t, c), prefix + "c_proj");
        }
        NDArray q = qkv.get(new NDIndex(":, :, 0:{}", c)).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray k = qkv.get(new NDIndex(":, :, {}:{}", c, 2 * c)).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray v = qkv.get(new NDIndex(":, :, {}:", 2 * c)).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul(attnScale);
        // -inf above the diagonal (nanoGPT's masked_fill): a position sees itself and the past only.
        // An added mask costs nothing in backward, where a masked fill (torch.where) costs a pass.
        att = att.add(inTypeOf(att, causalMask.get(new NDIndex(":{}, :{}", t, t))));
        att = dropout(att.softmax(-1));
        NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b * t, c); // the heads side by side
        return dropout(linear(w, y, prefix + "c_proj"));
    }

    private NDArray mlp(Map<String, NDArray> w, NDArray x, String prefix) {
        NDArray h = JniUtils.gelu(pt(linear(w, x, prefix + "c_fc")));
        return dropout(linear(w, h, prefix + "c_proj"));
    }

    private NDArray linear(Map<String, NDArray> w, NDArray x, String name) {
        NDArray bias = w.get(name + ".bias");
        NDArray loraA = w.get(name + LoraAdapters.A);
        if (loraA != null) {
            if (loraAlpha == null) {
                throw new IllegalStateException("weights hold " + name + LoraAdapters.A + " but the model has no LoRA "
                        + "alpha: call useLora first");
            }
            return loraLinear.forward(x, get(w, name + ".weight"), bias, loraA, get(w, name + LoraAdapters.B),
                    loraAlpha);
        }
        return Kernels.linear(x, get(w, name + ".weight"), bias); // x W^T + b (oneDNN's products on a CPU: see there)
    }

    private NDArray layerNorm(Map<String, NDArray> w, NDArray x, String name) {
        NDArray gain = get(w, name + ".weight");
        NDArray bias = w.get(name + ".bias");
        if (bias == null) { // bias=False: libtorch's layer_norm still wants a beta
            bias = inTypeOf(gain, zeroBias);
        }
        return JniUtils.layerNorm(pt(x), gain.getShape(), pt(gain), pt(bias), 1e-5f);
    }

    private NDArray dropout(NDArray x) {
        if (config.dropout() == 0.0 || !training) {
            return x;
        }
        return JniUtils.dropout(pt(x), config.dropout(), true);
    }

    /** A float32 constant in the type of x: itself, or a copy when the weights are float16. */
    private static NDArray inTypeOf(NDArray x, NDArray constant) {
        return constant.getDataType() == x.getDataType() ? constant : constant.toType(x.getDataType(), false);
    }

    private static NDArray get(Map<String, NDArray> w, String name) {
        NDArray a = w.get(name);
        if (a == null) {
            throw new IllegalStateException("no weight " + name);
        }
        return a;
    }

    private static PtNDArray pt(NDArray a) {
        return (PtNDArray) a;
    }

    /** A short hex digest of every parameter's bits: equal digests, identical replicas. */
    public String checksum() {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (NDArray p : params.values()) {
            crc.update(p.toByteArray());
        }
        return Long.toHexString(crc.getValue());
    }

    @Override
    public void close() {
        manager.close();
    }
}

package gptkit.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import gptkit.train.NoGrad;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPT of nanoGPT's model.py, written as plain tensor functions over a map of named
 * parameters (the names of nanoGPT's state_dict), so a reader sees every operation.
 *
 * <p>lm_head shares its weight with transformer.wte (weight tying), so it is not in the map.
 */
public final class GPT implements AutoCloseable {
    public final GPTConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    // Constants inside the autograd graph must own their memory (DJL trap: a Java-number
    // scalar is freed right after the op, and backward would read freed memory).
    private final NDArray attnScale;
    private final NDArray causalMask;
    private final NDArray zeroBias; // LayerNorm's beta when bias=false
    private boolean training = true;
    // Mixed precision: the forward pass reads these float16 working copies of the float32
    // master parameters; in float32 they are the masters themselves.
    private Map<String, NDArray> compute = params;
    private DataType computeType = DataType.FLOAT32;
    private NDArray maskCompute;
    private NDArray zeroBiasCompute;

    /** A model with nanoGPT's initialisation, drawn from {@code seed}. */
    public GPT(GPTConfig config, Device device, long seed) {
        this.config = config;
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        SplittableRandom rng = new SplittableRandom(seed);
        int c = config.n_embd();
        double std = 0.02;
        // GPT-2's scaled init of the residual projections: 0.02/sqrt(2*n_layer)
        double projStd = 0.02 / Math.sqrt(2.0 * config.n_layer());
        add("transformer.wte.weight", normal(rng, std, config.vocab_size(), c));
        add("transformer.wpe.weight", normal(rng, std, config.block_size(), c));
        for (int i = 0; i < config.n_layer(); i++) {
            String h = "transformer.h." + i + ".";
            addLayerNorm(h + "ln_1", c);
            addLinear(h + "attn.c_attn", rng, std, 3 * c, c);
            addLinear(h + "attn.c_proj", rng, projStd, c, c);
            addLayerNorm(h + "ln_2", c);
            addLinear(h + "mlp.c_fc", rng, std, 4 * c, c);
            addLinear(h + "mlp.c_proj", rng, projStd, c, 4 * c);
        }
        addLayerNorm("transformer.ln_f", c);
        attnScale = manager.create((float) (1.0 / Math.sqrt(config.head_size())));
        float[] mask = new float[config.block_size() * config.block_size()];
        for (int i = 0; i < config.block_size(); i++) {
            for (int j = i + 1; j < config.block_size(); j++) {
                mask[i * config.block_size() + j] = Float.NEGATIVE_INFINITY;
            }
        }
        causalMask = manager.create(mask, new Shape(config.block_size(), config.block_size()));
        zeroBias = manager.zeros(new Shape(c));
        // the model outlives any NDScope it is built in
        NDScope.unregister(attnScale, causalMask, zeroBias);
        for (NDArray p : params.values()) {
            NDScope.unregister(p);
            p.setRequiresGradient(true);
        }
        maskCompute = causalMask;
        zeroBiasCompute = zeroBias;
    }

    /**
     * The type the forward and backward passes run in: FLOAT32, or FLOAT16 for mixed precision
     * (float16 working copies of the float32 masters; the optimizer keeps updating the masters).
     */
    public void setComputeType(DataType type) {
        if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute type must be FLOAT32 or FLOAT16, got " + type);
        }
        computeType = type;
        if (maskCompute != causalMask) {
            maskCompute.close();
            zeroBiasCompute.close();
        }
        if (type == DataType.FLOAT32) {
            closeWorkingCopies();
            compute = params;
            maskCompute = causalMask;
            zeroBiasCompute = zeroBias;
            return;
        }
        try (NoGrad ng = NoGrad.open()) {
            maskCompute = causalMask.toType(type, true);
            zeroBiasCompute = zeroBias.toType(type, true);
            NDScope.unregister(maskCompute, zeroBiasCompute);
        }
        refreshWorkingCopies();
    }

    public DataType computeType() {
        return computeType;
    }

    /** The tensors the forward pass reads: their gradients are what backward produces. */
    public Map<String, NDArray> computeParams() {
        return compute;
    }

    /** Copies the masters into fresh working copies (after each optimizer step). */
    public void refreshWorkingCopies() {
        if (computeType == DataType.FLOAT32) {
            return;
        }
        Map<String, NDArray> fresh = new LinkedHashMap<>();
        try (NoGrad ng = NoGrad.open()) {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray w = e.getValue().toType(computeType, true);
                NDScope.unregister(w);
                w.setRequiresGradient(true);
                fresh.put(e.getKey(), w);
            }
        }
        closeWorkingCopies();
        compute = fresh;
    }

    private void closeWorkingCopies() {
        if (compute != params) {
            compute.values().forEach(NDArray::close);
        }
    }

    private void add(String name, NDArray array) {
        params.put(name, array);
    }

    private NDArray normal(SplittableRandom rng, double std, long... shape) {
        int n = (int) new Shape(shape).size();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (nextGaussian(rng) * std);
        }
        return manager.create(v, new Shape(shape));
    }

    private static double nextGaussian(SplittableRandom rng) {
        // Box-Muller: SplittableRandom has no nextGaussian in Java 17's API for all versions.
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private void addLinear(String name, SplittableRandom rng, double std, int out, int in) {
        add(name + ".weight", normal(rng, std, out, in));
        if (config.bias()) {
            add(name + ".bias", manager.zeros(new Shape(out)));
        }
    }

    private void addLayerNorm(String name, int c) {
        add(name + ".weight", manager.ones(new Shape(c)));
        if (config.bias()) {
            add(name + ".bias", manager.zeros(new Shape(c)));
        }
    }

    /** The named parameters, in nanoGPT's order (lm_head is tied to transformer.wte). */
    public Map<String, NDArray> params() {
        return params;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
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

    /** Logits for every position: idx (B, T) of int64 token ids gives (B, T, vocab_size). */
    public NDArray forward(NDArray idx) {
        long t = idx.getShape().get(1);
        if (t > config.block_size()) {
            throw new IllegalArgumentException(
                    "Cannot forward a sequence of length " + t + ", block size is only "
                            + config.block_size());
        }
        NDArray tok = JniUtils.embedding(pt(idx), pt(w("transformer.wte.weight")), false);
        NDArray pos = w("transformer.wpe.weight").get(new NDIndex(":{}", t));
        NDArray x = dropout(tok.add(pos));
        for (int i = 0; i < config.n_layer(); i++) {
            String h = "transformer.h." + i + ".";
            x = x.add(attention(layerNorm(x, h + "ln_1"), h + "attn."));
            x = x.add(mlp(layerNorm(x, h + "ln_2"), h + "mlp."));
        }
        x = layerNorm(x, "transformer.ln_f");
        return JniUtils.linear(pt(x), pt(w("transformer.wte.weight")), null);
    }

    /** Mean cross-entropy of the next-token predictions, like F.cross_entropy. */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        long v = logits.getShape().getShape()[logits.getShape().dimension() - 1];
        // log-softmax in float32 whatever the logits' type: the loss is reduced in full precision
        NDArray logp = JniUtils.logSoftmax(pt(logits.reshape(-1, v)), -1, DataType.FLOAT32);
        NDArray picked = logp.gather(targets.reshape(-1, 1), 1);
        return picked.mean().neg();
    }

    /** forward plus the loss against targets (B, T). */
    public NDArray loss(NDArray idx, NDArray targets) {
        return crossEntropy(forward(idx), targets);
    }

    private NDArray attention(NDArray x, String prefix) {
        Shape s = x.getShape();
        long b = s.get(0), t = s.get(1), c = s.get(2);
        int nh = config.n_head();
        long hs = c / nh;
        NDArray qkv = linear(x, prefix + "c_attn");
        NDArray q = qkv.get(new NDIndex(":, :, 0:{}", c)).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray k = qkv.get(new NDIndex(":, :, {}:{}", c, 2 * c)).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray v = qkv.get(new NDIndex(":, :, {}:", 2 * c)).reshape(b, t, nh, hs).transpose(0, 2, 1, 3);
        NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul(attnScale);
        att = att.add(maskCompute.get(new NDIndex(":{}, :{}", t, t)));
        att = dropout(att.softmax(-1));
        NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, c);
        return dropout(linear(y, prefix + "c_proj"));
    }

    private NDArray mlp(NDArray x, String prefix) {
        NDArray h = JniUtils.gelu(pt(linear(x, prefix + "c_fc")));
        return dropout(linear(h, prefix + "c_proj"));
    }

    private NDArray linear(NDArray x, String name) {
        NDArray bias = compute.get(name + ".bias");
        return JniUtils.linear(pt(x), pt(w(name + ".weight")), bias == null ? null : pt(bias));
    }

    private NDArray layerNorm(NDArray x, String name) {
        NDArray gain = w(name + ".weight");
        NDArray bias = compute.get(name + ".bias");
        if (bias == null) {
            bias = zeroBiasCompute;
        }
        return JniUtils.layerNorm(pt(x), gain.getShape(), pt(gain), pt(bias), 1e-5f);
    }

    private NDArray dropout(NDArray x) {
        if (config.dropout() == 0.0 || !training) {
            return x;
        }
        return JniUtils.dropout(pt(x), config.dropout(), true);
    }

    private NDArray w(String name) {
        NDArray a = compute.get(name);
        if (a == null) {
            throw new IllegalStateException("no parameter " + name);
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

    /** The parameter names in nanoGPT's configure_optimizers decay group (dim >= 2). */
    public List<String> decayNames() {
        List<String> out = new ArrayList<>();
        params.forEach((k, v) -> {
            if (v.getShape().dimension() >= 2) {
                out.add(k);
            }
        });
        return out;
    }

    @Override
    public void close() {
        closeWorkingCopies();
        if (maskCompute != causalMask) {
            maskCompute.close();
            zeroBiasCompute.close();
        }
        manager.close();
    }
}

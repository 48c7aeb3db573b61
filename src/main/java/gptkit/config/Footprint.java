package gptkit.config;

import java.lang.management.ManagementFactory;
import java.util.function.IntPredicate;

/**
 * What a GPT of given sizes needs, counted in long and double so that nothing overflows, and the
 * limits it must fit; a refusal names the key and the largest value that fits.
 *
 * <p>Two kinds of limit. Hard ones, the same on every machine: gptkit moves each tensor through
 * one Java array (the causal mask and the initial weights are built in a float[], a checkpoint's
 * tensors are written through a byte[] of 4 bytes per element) and writes and reads ckpt.bin as
 * one byte[]; a Java array holds at most Integer.MAX_VALUE - 8 elements. And memory: a LOWER
 * bound of what one training micro-step holds, compared with the machine's physical memory (CPU
 * only: a GPU's memory is not known before its engine starts, and libtorch's GPU allocation fails
 * at once, which the trainer reports). Being a lower bound, a refusal is always right; a run that
 * passes may still run out of memory (the trainer's out-of-memory message says what to change).
 */
public final class Footprint {
    /** The most elements one tensor may have: 4 bytes each in one byte[]. */
    public static final long MAX_TENSOR = (Integer.MAX_VALUE - 8L) / 4;
    /** The largest ckpt.bin: TensorFile writes and reads it as one byte[]. */
    public static final long MAX_CHECKPOINT_BYTES = Integer.MAX_VALUE - 8L;

    final int block;
    final long vocab;
    final int layers;
    final int heads;
    final int embd;
    final boolean bias;
    final int batch;
    final boolean trainsAll; // false for LoRA: the base's weights have no gradient or AdamW state
    final int activationBytes; // 4 for float32, 2 for float16

    private Footprint(int block, long vocab, int layers, int heads, int embd, boolean bias, int batch,
                      boolean trainsAll, int activationBytes) {
        this.block = block;
        this.vocab = vocab;
        this.layers = layers;
        this.heads = heads;
        this.embd = embd;
        this.bias = bias;
        this.batch = batch;
        this.trainsAll = trainsAll;
        this.activationBytes = activationBytes;
    }

    /** A training run's footprint (vocab: the vocabulary's size, 1 while it is not known yet). */
    public static Footprint training(int blockSize, long vocabSize, int nLayer, int nHead, int nEmbd, boolean bias,
                                     int batchSize, boolean trainsAll, String dtype) {
        return new Footprint(blockSize, vocabSize, nLayer, nHead, nEmbd, bias, batchSize, trainsAll,
                dtype.equals("float16") ? 2 : 4);
    }

    /** The model alone (a model to sample from, a checkpoint): only the tensor limits apply. */
    public static void requireTensorsFit(int blockSize, long vocabSize, int nLayer, int nHead, int nEmbd,
                                         boolean bias) {
        String why = new Footprint(blockSize, vocabSize, nLayer, nHead, nEmbd, bias, 1, false, 4).tensorTooLarge();
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /** nanoGPT's parameters for these sizes (lm_head tied to wte), as GPT.shapes lists them. */
    public long params() {
        long c = embd;
        long perLayer = 12 * c * c + 2 * c + (bias ? 11 * c : 0); // two LayerNorms, c_attn, c_proj, c_fc, c_proj
        return (vocab + block) * c + layers * perLayer + c + (bias ? c : 0);
    }

    /** ckpt.bin's tensors: weights and AdamW's two moments, float32. */
    public long checkpointBytes() {
        return 12 * params();
    }

    /**
     * A lower bound of one micro-step's memory, in bytes (as a double: no overflow). Parameters:
     * weights, gradients and AdamW's two moments in float32 (16 bytes each; 4 with LoRA, whose base
     * is frozen). The causal mask, T x T float32. Activations that backward needs and no
     * implementation can avoid without recomputing: per layer the MLP's hidden layer (B x T x 4C,
     * the input of mlp.c_proj, whose weight gradient reads it), and the logits (B x T x vocab).
     * Everything else (attention, LayerNorm inputs, the q, k, v) is left out, so the true figure is
     * several times this.
     */
    public double stepBytes() {
        double bt = (double) batch * block;
        double activations = layers * bt * 4.0 * embd + bt * vocab;
        return (trainsAll ? 16.0 : 4.0) * params() + 4.0 * block * block + activationBytes * activations;
    }

    /** Whether every tensor (the causal mask, wte, wpe, mlp.c_fc, the largest weights) has at most MAX_TENSOR elements. */
    boolean tensorsFit() {
        long c = embd;
        return (long) block * block <= MAX_TENSOR && 4 * c * c <= MAX_TENSOR && block * c <= MAX_TENSOR
                && vocab * c <= MAX_TENSOR;
    }

    /** The first tensor whose element count passes MAX_TENSOR, as a message; null if they all fit. */
    String tensorTooLarge() {
        long c = embd;
        if ((long) block * block > MAX_TENSOR) {
            return tooLarge("block_size=" + block, "the causal mask (block_size x block_size)", (long) block * block,
                    "block_size=" + largest(block, t -> with(t, vocab, embd, batch).tensorsFit()));
        }
        if (4 * c * c > MAX_TENSOR) {
            return tooLarge("n_embd=" + embd, "mlp.c_fc's weight (4*n_embd x n_embd)", 4 * c * c, fitEmbd());
        }
        if (block * c > MAX_TENSOR) {
            return tooLarge("block_size=" + block + " with n_embd=" + embd, "transformer.wpe's weight (block_size x "
                    + "n_embd)", block * c, fitEmbd());
        }
        if (vocab * c > MAX_TENSOR) {
            return tooLarge("a vocabulary of " + vocab + " characters with n_embd=" + embd, "transformer.wte's "
                    + "weight (vocab_size x n_embd)", vocab * c, fitEmbd());
        }
        return null;
    }

    private static String tooLarge(String what, String tensor, long elements, String fits) {
        return String.format("%s makes %s a tensor of %,d elements (%s as float32), more than the %,d one tensor "
                + "can hold in gptkit (it passes each tensor through one Java array). At most %s fits with the "
                + "other settings.", what, tensor, elements, gb(4.0 * elements), MAX_TENSOR, fits);
    }

    /**
     * Every limit: the tensors, ckpt.bin (a full run writes one), the Java heap that writes it, and
     * the micro-step's lower bound against memoryBytes (0: not known, not checked).
     */
    public void check(long memoryBytes) {
        String why = tensorTooLarge();
        if (why == null) {
            why = checkpointTooLarge(Runtime.getRuntime().maxMemory());
        }
        if (why == null && memoryBytes > 0 && stepBytes() > memoryBytes) {
            why = String.format("batch_size=%d, block_size=%d, n_layer=%d, n_embd=%d need at least %s of memory per "
                    + "micro-step (%,d parameters with their gradients and AdamW state, the causal mask, the MLP "
                    + "activations and the logits; the true need is several times this), more than this machine's "
                    + "%s. At most %s fits with the other settings%s; a smaller model (n_layer, n_embd) needs less.",
                    batch, block, layers, embd, gb(stepBytes()), params(), gb(memoryBytes),
                    fitBatch(memoryBytes), fitBlock(memoryBytes));
        }
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    private String checkpointTooLarge(long heapBytes) {
        if (!trainsAll) {
            return null; // a LoRA run writes its adapters only
        }
        if (checkpointBytes() > MAX_CHECKPOINT_BYTES) {
            return String.format("n_layer=%d, n_embd=%d make a model of %,d parameters: its ckpt.bin (weights and "
                    + "AdamW's two moments, 12 bytes a parameter) would be %s, more than the %s one checkpoint can "
                    + "hold (gptkit writes and reads it as one Java array). At most %,d parameters fit: at most "
                    + "n_layer=%d with this n_embd, or a smaller n_embd.", layers, embd, params(),
                    gb(checkpointBytes()), gb(MAX_CHECKPOINT_BYTES), MAX_CHECKPOINT_BYTES / 12,
                    largest(layers, l -> new Footprint(block, vocab, l, heads, embd, bias, batch, true,
                            activationBytes).checkpointBytes() <= MAX_CHECKPOINT_BYTES));
        }
        // saving holds the tensors' floats and the file's bytes at once: 24 bytes a parameter
        if (2.0 * checkpointBytes() > heapBytes) {
            return String.format("a model of %,d parameters needs at least %s of Java heap to save its checkpoint "
                    + "(its tensors and the file's bytes, 24 bytes a parameter), more than this JVM's %s (-Xmx). Give "
                    + "the JVM more (e.g. GPTKIT_JAVA_OPTS=-Xmx%dg for ./gptkit) or train a smaller model.",
                    params(), gb(2.0 * checkpointBytes()), gb(heapBytes),
                    (long) Math.ceil(2.0 * checkpointBytes() / (1L << 30)) + 1);
        }
        return null;
    }

    private Footprint with(int block, long vocab, int embd, int batch) {
        return new Footprint(block, vocab, layers, heads, embd, bias, batch, trainsAll, activationBytes);
    }

    private String fitEmbd() {
        // n_embd stays a multiple of n_head: search over n_embd / n_head
        int k = largest(embd / heads, m -> with(block, vocab, m * heads, batch).tensorsFit());
        return k == 0 ? "no n_embd (a smaller block_size or vocabulary is needed)" : "n_embd=" + (long) k * heads;
    }

    private String fitBatch(long memoryBytes) {
        int b = largest(batch, x -> with(block, vocab, embd, x).stepBytes() <= memoryBytes);
        return b == 0 ? "no batch_size" : "batch_size=" + b
                + " (a larger --gradient_accumulation_steps keeps the tokens per iteration)";
    }

    private String fitBlock(long memoryBytes) {
        int t = largest(block, x -> with(x, vocab, embd, batch).stepBytes() <= memoryBytes);
        return t == 0 ? "" : ", or block_size=" + t;
    }

    /** The largest x in [1, hi] for which ok holds, ok being true up to some point and false after; 0 if none. */
    public static int largest(int hi, IntPredicate ok) {
        int lo = 0; // ok(lo) holds (0 stands for "none")
        while (lo < hi) {
            int mid = (int) (((long) lo + hi + 1) / 2);
            if (ok.test(mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    static String gb(double bytes) {
        return bytes >= 1e9 ? String.format("%.1f GB", bytes / 1e9) : String.format("%.0f MB", bytes / 1e6);
    }

    /** This machine's physical memory in bytes; 0 if the JVM cannot tell. */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }
}

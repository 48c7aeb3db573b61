package gptkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import gptkit.model.GPTConfig;
import gptkit.model.LoraAdapters;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A LoRA run's checkpoint (lora.bin): the adapters A and B only (and AdamW's state of them, for
 * resume), rank, alpha and targets, and the identity of the base model they were trained on: the
 * sha256 of its weights and its model args. Laid out as ckpt.bin is (magic line, JSON header,
 * float32 tensors, CRC32; written to a temp file and renamed), a few per cent of its size.
 */
public final class LoraCheckpoint {
    public static final String FILE_NAME = "lora.bin";
    private static final byte[] MAGIC = "GPTKIT-LORA-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private LoraCheckpoint() {}

    /** The header: plain fields only (notebooks read it with an old Gson that cannot build records). */
    public static final class Header {
        public int lora_rank;
        public double lora_alpha;
        public List<String> lora_targets;
        public String base_sha256; // of the base's weights: see weightsSha256
        public String base_dir;    // where the base was read from (said in messages; identity is the sha)
        public int block_size, vocab_size, n_layer, n_head, n_embd;
        public boolean bias;
        public int iter_num;
        public double best_val_loss;
        public long optimizer_step;
        public Map<String, Object> config;
        public DataIdentity.Hashes data; // what the adapters were trained on (null before it was recorded)
        public List<String> tensor_names = new ArrayList<>();
        public List<long[]> tensor_shapes = new ArrayList<>();

        public void base(GPTConfig a, String sha256, String dir) {
            block_size = a.block_size();
            vocab_size = a.vocab_size();
            n_layer = a.n_layer();
            n_head = a.n_head();
            n_embd = a.n_embd();
            bias = a.bias();
            base_sha256 = sha256;
            base_dir = dir;
        }

        String baseArgs() {
            return String.format("block_size=%d, vocab_size=%d, n_layer=%d, n_head=%d, n_embd=%d, bias=%s",
                    block_size, vocab_size, n_layer, n_head, n_embd, bias);
        }
    }

    public record Loaded(Header header, Map<String, float[]> tensors) {}

    /**
     * The base model's identity: sha256 over each weight's name and float32 values (little-endian),
     * in the model's order. The same weights give the same digest whatever else their checkpoint
     * holds (iteration, optimizer state), and any changed weight another.
     */
    public static String weightsSha256(Map<String, NDArray> weights) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                float[] v = e.getValue().toType(DataType.FLOAT32, true).toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                d.update(b.array());
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Refuses adapters trained on another base: one message naming both (file, digest, args).
     * baseDir is where the base given now comes from.
     */
    public static void checkBase(Path file, Header h, GPTConfig args, String sha256, String baseDir) {
        Header now = new Header();
        now.base(args, sha256, baseDir);
        if (!now.baseArgs().equals(h.baseArgs()) || !sha256.equals(h.base_sha256)) {
            throw new IllegalArgumentException(String.format("The LoRA adapters in %s were trained on the base model "
                    + "from %s (weights sha256 %s, %s), but the base given is %s (weights sha256 %s, %s). Adapters "
                    + "only fit the weights they were trained on: give that base (--init_from=%s), or train new "
                    + "adapters on this one.", file, h.base_dir, h.base_sha256, h.baseArgs(), baseDir, sha256,
                    now.baseArgs(), h.base_dir));
        }
    }

    /** Writes the header and tensors (adapters, then "optimizer.*"), atomically. */
    public static void save(Path file, Header header, Map<String, NDArray> tensors) throws IOException {
        header.tensor_names = new ArrayList<>();
        header.tensor_shapes = new ArrayList<>();
        List<float[]> data = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            header.tensor_names.add(e.getKey());
            header.tensor_shapes.add(e.getValue().getShape().getShape());
            data.add(e.getValue().toType(DataType.FLOAT32, true).toFloatArray());
        }
        TensorFile.write(file, MAGIC, GSON.toJson(header), data);
    }

    /** Reads and verifies a LoRA checkpoint: any damage is one IOException naming the file. */
    public static Loaded load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("No LoRA checkpoint at " + file + ": train adapters first (--lora_rank=8 "
                    + "--init_from=BASE_DIR --out_dir=...).");
        }
        String fix = " The file is damaged or not a gptkit LoRA checkpoint: train the adapters again.";
        byte[] all = TensorFile.readVerified(file, MAGIC, "gptkit LoRA checkpoint", fix);
        ByteBuffer buf = ByteBuffer.wrap(all, 0, all.length - 8);
        buf.position(MAGIC.length);
        int jsonLen = buf.getInt();
        if (jsonLen < 0 || jsonLen > buf.remaining()) {
            throw new IOException(file + ": the header length field is out of range." + fix);
        }
        Header h;
        try {
            h = GSON.fromJson(new String(all, buf.position(), jsonLen, StandardCharsets.UTF_8), Header.class);
        } catch (RuntimeException e) {
            throw new IOException(file + " has an unreadable header (" + e.getMessage() + ")." + fix, e);
        }
        if (h == null || h.lora_rank < 1 || h.lora_targets == null || h.base_sha256 == null
                || h.tensor_names == null || h.tensor_shapes == null || h.tensor_names.size() != h.tensor_shapes.size()) {
            throw new IOException(file + ": the header lacks lora_rank, lora_targets, base_sha256 or its tensors."
                    + fix);
        }
        GPTConfig args = new GPTConfig(h.block_size, h.vocab_size, h.n_layer, h.n_head, h.n_embd, 0.0, h.bias);
        Map<String, long[]> want = LoraAdapters.shapes(args, h.lora_rank, h.lora_targets);
        buf.position(buf.position() + jsonLen);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (int i = 0; i < h.tensor_names.size(); i++) {
            String name = h.tensor_names.get(i);
            long[] shape = h.tensor_shapes.get(i);
            long[] adapter = want.get(name.startsWith("optimizer.") ? name.substring(name.indexOf('.', 10) + 1) : name);
            if (adapter == null || !Arrays.equals(adapter, shape)) {
                throw new IOException(String.format("%s: tensor %s (shape %s) is not an adapter of rank %d on %s "
                        + "for the base's args (%s).%s", file, name, Arrays.toString(shape), h.lora_rank,
                        h.lora_targets, h.baseArgs(), fix));
            }
            int n = (int) new Shape(shape).size();
            if (4L * n > buf.remaining()) {
                throw new IOException(file + ": tensor " + name + " runs past the end of the file." + fix);
            }
            float[] d = new float[n];
            buf.asFloatBuffer().get(d);
            buf.position(buf.position() + 4 * n);
            tensors.put(name, d);
        }
        if (buf.remaining() != 0) {
            throw new IOException(file + ": " + buf.remaining() + " bytes are not described by the header." + fix);
        }
        for (String name : want.keySet()) {
            if (!tensors.containsKey(name)) {
                throw new IOException(file + ": adapter tensor " + name + " is missing." + fix);
            }
        }
        return new Loaded(h, tensors);
    }

    /**
     * Export: the base checkpoint in baseDir with the adapters of loraDir's lora.bin merged in,
     * W' = W + (alpha / r) B A, written as a full ckpt.bin into outDir (what `./gptkit sample`
     * reads; no optimizer state: a model to sample from, not a run to resume). Refuses adapters
     * trained on another base, and an outDir that would overwrite the base.
     */
    public static Path merge(Path baseDir, Path loraDir, Path outDir) throws IOException {
        Path baseFile = baseDir.resolve(Checkpoint.FILE_NAME);
        Path loraFile = loraDir.resolve(FILE_NAME);
        Checkpoint.Loaded base = Checkpoint.load(baseFile);
        Loaded adapters = load(loraFile);
        Path out = outDir.resolve(Checkpoint.FILE_NAME);
        if (Files.exists(out) && Files.isSameFile(out, baseFile)) {
            throw new IllegalArgumentException("--out_dir=" + outDir + " holds the base checkpoint: merging would "
                    + "overwrite it. Give another --out_dir.");
        }
        Header h = adapters.header();
        GPTConfig args = base.header().model_args;
        ai.djl.Device cpu = gptkit.engine.Engines.device("cpu"); // the engine started as everywhere else: offline, quiet
        try (gptkit.model.GPT model = new gptkit.model.GPT(args, cpu, 0);
             LoraAdapters lora = new LoraAdapters(args, cpu, h.lora_rank, h.lora_alpha, h.lora_targets, 0);
             ai.djl.ndarray.NDManager scope = ai.djl.ndarray.NDManager.newBaseManager(cpu, "PyTorch")) {
            Checkpoint.copyInto(base, model.params(), "");
            checkBase(loraFile, h, args, weightsSha256(model.params()), baseDir.toString());
            try (gptkit.autograd.NoGrad ng = gptkit.autograd.NoGrad.open()) {
                lora.params().forEach((name, p) -> gptkit.autograd.Tensors.copyInto(p, adapters.tensors().get(name)));
            }
            try (ai.djl.ndarray.NDScope s = new ai.djl.ndarray.NDScope()) {
                s.suppressNotUsedWarning();
                Checkpoint.Header out2 = new Checkpoint.Header();
                out2.model_args = args;
                out2.iter_num = h.iter_num;
                out2.best_val_loss = h.best_val_loss;
                out2.config = h.config;
                out2.vocab = base.header().vocab;
                out2.data = h.data; // the merged model was last trained on the adapters' data
                Files.createDirectories(outDir);
                Checkpoint.save(out, out2, lora.merge(model.params()));
            }
        }
        return out;
    }
}

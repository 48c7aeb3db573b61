package gptkit.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import gptkit.autograd.NoGrad;
import gptkit.autograd.Tensors;
import gptkit.engine.Engines;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A LoRA run's checkpoint (lora.bin): the adapters A and B only (and AdamW's state of them, for
 * resume), rank, alpha and targets, and the identity of the base model they were trained on: the
 * sha256 of its weights and its model args. Laid out as ckpt.bin is (magic line, JSON header,
 * float32 tensors, CRC32; written to a temp file and renamed; read by the same reader), a few per
 * cent of its size. In code its header is ckpt.bin's ({@link Checkpoint.Header}, with
 * {@link Checkpoint.Adapters}); on disk it keeps the flat layout it always had ({@link Disk}).
 */
public final class LoraCheckpoint {
    public static final String FILE_NAME = "lora.bin";
    private static final byte[] MAGIC = "GPTKIT-LORA-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private LoraCheckpoint() {}

    /** The header as lora.bin stores it: plain fields (notebooks read it with an old Gson that cannot build records). */
    private static final class Disk {
        int lora_rank;
        double lora_alpha;
        List<String> lora_targets;
        String base_sha256;
        String base_dir;
        int block_size, vocab_size, n_layer, n_head, n_embd;
        boolean bias;
        int iter_num;
        double best_val_loss;
        long optimizer_step;
        Map<String, Object> config;
        DataIdentity.Hashes data;
        List<String> tensor_names = new ArrayList<>();
        List<long[]> tensor_shapes = new ArrayList<>();

        static Disk of(Checkpoint.Header h) {
            Disk d = new Disk();
            d.lora_rank = h.lora.rank;
            d.lora_alpha = h.lora.alpha;
            d.lora_targets = h.lora.targets;
            d.base_sha256 = h.lora.base_sha256;
            d.base_dir = h.lora.base_dir;
            GPTConfig a = h.model_args;
            d.block_size = a.block_size();
            d.vocab_size = a.vocab_size();
            d.n_layer = a.n_layer();
            d.n_head = a.n_head();
            d.n_embd = a.n_embd();
            d.bias = a.bias();
            d.iter_num = h.iter_num;
            d.best_val_loss = h.best_val_loss;
            d.optimizer_step = h.optimizer_step;
            d.config = h.config;
            d.data = h.data;
            for (Checkpoint.TensorInfo t : h.tensors) {
                d.tensor_names.add(t.name());
                d.tensor_shapes.add(t.shape());
            }
            return d;
        }

        Checkpoint.Header header() {
            Checkpoint.Header h = new Checkpoint.Header();
            h.lora = new Checkpoint.Adapters();
            h.lora.rank = lora_rank;
            h.lora.alpha = lora_alpha;
            h.lora.targets = lora_targets;
            h.lora.base_sha256 = base_sha256;
            h.lora.base_dir = base_dir;
            h.model_args = new GPTConfig(block_size, vocab_size, n_layer, n_head, n_embd, 0.0, bias);
            h.iter_num = iter_num;
            h.best_val_loss = best_val_loss;
            h.optimizer_step = optimizer_step;
            h.config = config;
            h.data = data;
            for (int i = 0; i < tensor_names.size(); i++) {
                h.tensors.add(new Checkpoint.TensorInfo(tensor_names.get(i), tensor_shapes.get(i)));
            }
            return h;
        }
    }

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

    private static String baseArgs(GPTConfig a) {
        return String.format("block_size=%d, vocab_size=%d, n_layer=%d, n_head=%d, n_embd=%d, bias=%s",
                a.block_size(), a.vocab_size(), a.n_layer(), a.n_head(), a.n_embd(), a.bias());
    }

    /**
     * Refuses adapters trained on another base: one message naming both (file, digest, args).
     * baseDir is where the base given now comes from.
     */
    public static void checkBase(Path file, Checkpoint.Header h, GPTConfig args, String sha256, String baseDir) {
        if (!baseArgs(args).equals(baseArgs(h.model_args)) || !sha256.equals(h.lora.base_sha256)) {
            throw new IllegalArgumentException(String.format("The LoRA adapters in %s were trained on the base model "
                    + "from %s (weights sha256 %s, %s), but the base given is %s (weights sha256 %s, %s). Adapters "
                    + "only fit the weights they were trained on: give that base (--init_from=%s), or train new "
                    + "adapters on this one.", file, h.lora.base_dir, h.lora.base_sha256, baseArgs(h.model_args),
                    baseDir, sha256, baseArgs(args), h.lora.base_dir));
        }
    }

    /** Writes the header (its lora section set) and tensors (adapters, then "optimizer.*"), atomically. */
    public static void save(Path file, Checkpoint.Header header, Map<String, NDArray> tensors) throws IOException {
        header.tensors = new ArrayList<>();
        List<float[]> data = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            header.tensors.add(new Checkpoint.TensorInfo(e.getKey(), e.getValue().getShape().getShape()));
            data.add(e.getValue().toType(DataType.FLOAT32, true).toFloatArray());
        }
        TensorFile.write(file, MAGIC, GSON.toJson(Disk.of(header)), data);
    }

    /** Reads and verifies a LoRA checkpoint: any damage is one IOException naming the file. */
    public static Checkpoint.Loaded load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("No LoRA checkpoint at " + file + ": train adapters first (--lora_rank=8 "
                    + "--init_from=BASE_DIR --out_dir=...).");
        }
        String fix = " The file is damaged or not a gptkit LoRA checkpoint: train the adapters again.";
        TensorFile.Frame f = TensorFile.read(file, MAGIC, "gptkit LoRA checkpoint", fix);
        Disk d;
        try {
            d = GSON.fromJson(f.json(), Disk.class);
        } catch (RuntimeException e) {
            throw new IOException(file + " has an unreadable header (" + e.getMessage() + ")." + fix, e);
        }
        if (d == null || d.lora_rank < 1 || d.lora_targets == null || d.base_sha256 == null
                || d.tensor_names == null || d.tensor_shapes == null || d.tensor_names.size() != d.tensor_shapes.size()) {
            throw new IOException(file + ": the header lacks lora_rank, lora_targets, base_sha256 or its tensors."
                    + fix);
        }
        Checkpoint.Header h;
        try {
            h = d.header();
        } catch (IllegalArgumentException e) { // GPTConfig refusing the base's args
            throw new IOException(file + " has an unreadable header (" + e.getMessage() + ")." + fix, e);
        }
        Map<String, float[]> tensors = TensorFile.tensors(f, h.tensors);
        Map<String, long[]> want = LoraAdapters.shapes(h.model_args, h.lora.rank, h.lora.targets);
        String adapters = String.format("the adapters of rank %d on %s for the base's args (%s)", h.lora.rank,
                h.lora.targets, baseArgs(h.model_args));
        for (String name : tensors.keySet()) {
            String param = name.startsWith("optimizer.") ? name.substring(name.indexOf('.', 10) + 1) : name;
            if (!want.containsKey(param)) {
                throw new IOException(String.format("%s: tensor %s is not one of %s.%s", file, name, adapters, fix));
            }
        }
        TensorFile.requireShapes(f, h.tensors, want, adapters, adapters);
        return new Checkpoint.Loaded(h, tensors);
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
        Path out = outDir.resolve(Checkpoint.FILE_NAME);
        if (Files.exists(out) && Files.exists(baseFile) && Files.isSameFile(out, baseFile)) {
            throw new IllegalArgumentException("--out_dir=" + outDir + " holds the base checkpoint: merging would "
                    + "overwrite it. Give another --out_dir.");
        }
        Checkpoint.Loaded adapters = load(loraFile);
        Checkpoint.Header h = adapters.header();
        Device cpu = Engines.device("cpu"); // the engine started as everywhere else: offline, quiet
        try (Checkpoint.Trained base = Checkpoint.loadModel(baseDir, cpu, 0);
             LoraAdapters lora = new LoraAdapters(base.header().model_args, cpu, h.lora.rank, h.lora.alpha, h.lora.targets, 0);
             NDManager scope = NDManager.newBaseManager(cpu, "PyTorch")) {
            checkBase(loraFile, h, base.model().config(), weightsSha256(base.model().params()), baseDir.toString());
            try (NoGrad ng = NoGrad.open()) {
                lora.params().forEach((name, p) -> Tensors.copyInto(p, adapters.tensors().get(name)));
            }
            try (NDScope s = new NDScope()) {
                s.suppressNotUsedWarning();
                Checkpoint.Header merged = new Checkpoint.Header();
                merged.model_args = base.header().model_args;
                merged.iter_num = h.iter_num;
                merged.best_val_loss = h.best_val_loss;
                merged.config = h.config;
                merged.vocab = base.header().vocab;
                merged.data = h.data; // the merged model was last trained on the adapters' data
                Files.createDirectories(outDir);
                Checkpoint.save(out, merged, lora.merge(base.model().params()));
            }
        }
        return out;
    }
}

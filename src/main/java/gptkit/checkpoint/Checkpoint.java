package gptkit.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonSerializer;
import gptkit.autograd.NoGrad;
import gptkit.autograd.Tensors;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.optim.Optimizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What train.py saves in ckpt.pt: model, optimizer state, model_args, iter_num, best_val_loss,
 * config, and (for a character model) the vocabulary. One file: a magic line, a JSON header,
 * float32 tensors, and a CRC32 of all of it. Written to a temp file and renamed over the old
 * one, so a crash leaves either the old checkpoint or the new one, never half of one.
 */
public final class Checkpoint {
    public static final String FILE_NAME = "ckpt.bin";
    private static final byte[] MAGIC = "GPTKIT-CKPT-1\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * The header's records (model_args, tensors) are written and read field by field here, never by
     * Gson's record support (Gson 2.10+): in a notebook on IJava 1.3 the Gson on the classpath is the
     * 2.8.5 inside IJava's jar, which cannot build a record ("Can not set final int field"). Only API
     * that 2.8.5 has is used (CheckpointOldGsonTest loads a checkpoint with that Gson).
     */
    private static final Gson GSON = new GsonBuilder()
            .serializeSpecialFloatingPointValues()
            .registerTypeAdapter(GPTConfig.class, (JsonSerializer<GPTConfig>) (a, type, ctx) -> {
                JsonObject o = new JsonObject();
                o.addProperty("block_size", a.block_size());
                o.addProperty("vocab_size", a.vocab_size());
                o.addProperty("n_layer", a.n_layer());
                o.addProperty("n_head", a.n_head());
                o.addProperty("n_embd", a.n_embd());
                o.addProperty("dropout", a.dropout());
                o.addProperty("bias", a.bias());
                return o;
            })
            .registerTypeAdapter(GPTConfig.class, (JsonDeserializer<GPTConfig>) (json, type, ctx) -> {
                JsonObject o = object(json, "model_args");
                return new GPTConfig(field(o, "block_size").getAsInt(), field(o, "vocab_size").getAsInt(),
                        field(o, "n_layer").getAsInt(), field(o, "n_head").getAsInt(), field(o, "n_embd").getAsInt(),
                        field(o, "dropout").getAsDouble(), field(o, "bias").getAsBoolean());
            })
            .registerTypeAdapter(TensorInfo.class, (JsonSerializer<TensorInfo>) (t, type, ctx) -> {
                JsonObject o = new JsonObject();
                o.addProperty("name", t.name());
                if (t.shape() != null) {
                    JsonArray shape = new JsonArray();
                    for (long d : t.shape()) {
                        shape.add(d);
                    }
                    o.add("shape", shape);
                }
                return o;
            })
            .registerTypeAdapter(TensorInfo.class, (JsonDeserializer<TensorInfo>) (json, type, ctx) -> {
                JsonObject o = object(json, "a tensors entry");
                JsonElement name = o.get("name"), shape = o.get("shape");
                long[] dims = null;
                if (shape != null && !shape.isJsonNull()) {
                    if (!shape.isJsonArray()) {
                        throw new JsonParseException("a tensor's shape is not a list: " + shape);
                    }
                    JsonArray a = shape.getAsJsonArray();
                    dims = new long[a.size()];
                    for (int i = 0; i < dims.length; i++) {
                        dims[i] = a.get(i).getAsLong();
                    }
                }
                return new TensorInfo(name == null || name.isJsonNull() ? null : name.getAsString(), dims);
            })
            .create();

    private static JsonObject object(JsonElement json, String what) {
        if (!json.isJsonObject()) {
            throw new JsonParseException(what + " is not a JSON object: " + json);
        }
        return json.getAsJsonObject();
    }

    private static JsonElement field(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new JsonParseException("model_args has no " + name);
        }
        return e;
    }

    /** The header: everything but the tensors. */
    public static final class Header {
        public GPTConfig model_args;
        public int iter_num;
        public double best_val_loss;
        public long optimizer_step;
        public double scaler_scale; // float16 runs: the GradScaler's state
        public int scaler_growth_tracker;
        public long skipped_steps;
        // the DDP split it was written with (0: a checkpoint from before they were recorded): how many
        // ranks, and gradient_accumulation_steps in all and per rank (total = world_size x per rank)
        public int world_size;
        public int gradient_accumulation_steps;
        public int gradient_accumulation_steps_per_rank;
        public Map<String, Object> config;
        public String vocab;
        public DataIdentity.Hashes data; // what it was trained on (null: a checkpoint from before it was recorded)
        public List<TensorInfo> tensors = new ArrayList<>();
        // lora.bin only (null in ckpt.bin, so never written there): which adapters, on which base model
        public Adapters lora;

        /** float16 runs: the GradScaler's state. */
        public void scaler(gptkit.amp.LossScaler.State s) {
            scaler_scale = s.scale();
            scaler_growth_tracker = s.growthTracker();
            skipped_steps = s.skippedSteps();
        }

        /** A header for {@link Checkpoint#save(Path, GPT, Optimizer, Header)}: the iteration and best val loss. */
        public static Header at(int iterNum, double bestValLoss) {
            Header h = new Header();
            h.iter_num = iterNum;
            h.best_val_loss = bestValLoss;
            return h;
        }
    }

    /** A LoRA checkpoint's adapters: rank, alpha, target projections, and the base they were trained on. */
    public static final class Adapters {
        public int rank;
        public double alpha;
        public List<String> targets;
        public String base_sha256; // of the base's weights: see LoraCheckpoint.weightsSha256
        public String base_dir;    // where the base was read from (said in messages; identity is the sha)
    }

    public record TensorInfo(String name, long[] shape) {}

    /** A checkpoint read from disk: header plus tensors by name as float arrays. */
    public record Loaded(Header header, Map<String, float[]> tensors) {
        public float[] tensor(String name) {
            float[] t = tensors.get(name);
            if (t == null) {
                throw new IllegalStateException("The checkpoint has no tensor " + name);
            }
            return t;
        }
    }

    private Checkpoint() {}

    /** The library's checkpoint part: {@link #save} and {@link #load}. */
    public static CheckpointStore store() {
        return new CheckpointStore() {
            @Override
            public void save(Path file, Header header, Map<String, NDArray> tensors) throws IOException {
                Checkpoint.save(file, header, tensors);
            }

            @Override
            public Loaded load(Path file) throws IOException {
                return Checkpoint.load(file);
            }
        };
    }

    /** Saves header and tensors (model params, then "optimizer.exp_avg.*", "optimizer.exp_avg_sq.*"). */
    public static void save(Path file, Header header, Map<String, NDArray> tensors) throws IOException {
        header.tensors.clear();
        List<float[]> data = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            if (a.getDataType() != DataType.FLOAT32) {
                a = a.toType(DataType.FLOAT32, true);
            }
            header.tensors.add(new TensorInfo(e.getKey(), e.getValue().getShape().getShape()));
            data.add(a.toFloatArray());
        }
        TensorFile.write(file, MAGIC, GSON.toJson(header), data);
    }

    /** Reads and verifies a checkpoint; any damage is one clear IOException. */
    public static Loaded load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("No checkpoint at " + file
                    + ". Train first (init_from=scratch), or point --out_dir at the run to resume.");
        }
        String fix = " The file is damaged or not a gptkit checkpoint: train again from scratch, "
                + "or restore a copy of " + file.getFileName() + ".";
        return parse(file, fix);
    }

    /** Every field checked before use: a valid-CRC but inconsistent file is one IOException naming the field. */
    private static Loaded parse(Path file, String fix) throws IOException {
        TensorFile.Frame f = TensorFile.read(file, MAGIC, "gptkit checkpoint", fix);
        Header header;
        try {
            header = GSON.fromJson(f.json(), Header.class);
        } catch (RuntimeException e) { // JsonParseException, or GPTConfig refusing its values
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IOException(file + " has an unreadable header (" + c.getMessage() + ")." + fix, e);
        }
        if (header == null) {
            throw new IOException(file + " has an empty header." + fix);
        }
        if (header.model_args == null) {
            throw new IOException(file + ": the header has no model_args." + fix);
        }
        if (header.tensors == null || header.tensors.isEmpty()) {
            throw new IOException(file + ": the header lists no tensors." + fix);
        }
        if (header.world_size != 0 && (header.world_size < 0 || header.gradient_accumulation_steps_per_rank < 1
                || (long) header.world_size * header.gradient_accumulation_steps_per_rank
                        != header.gradient_accumulation_steps)) {
            throw new IOException(String.format("%s: world_size=%d, gradient_accumulation_steps=%d and "
                    + "gradient_accumulation_steps_per_rank=%d do not fit together (the total must be world_size x "
                    + "per rank).%s", file, header.world_size, header.gradient_accumulation_steps,
                    header.gradient_accumulation_steps_per_rank, fix));
        }
        GPTConfig args = header.model_args;
        if (header.vocab != null && header.vocab.codePointCount(0, header.vocab.length()) != args.vocab_size()) {
            throw new IOException(String.format("%s: the vocab field has %d characters but model_args.vocab_size is %d.%s",
                    file, header.vocab.codePointCount(0, header.vocab.length()), args.vocab_size(), fix));
        }
        Map<String, float[]> tensors = TensorFile.tensors(f, header.tensors);
        TensorFile.requireShapes(f, header.tensors, GPT.shapes(args),
                String.format("model_args (n_layer=%d, n_embd=%d, bias=%s)", args.n_layer(), args.n_embd(), args.bias()),
                String.format("model_args (block_size=%d, vocab_size=%d, n_embd=%d)", args.block_size(),
                        args.vocab_size(), args.n_embd()));
        return new Loaded(header, tensors);
    }

    /**
     * Saves a model and its optimizer's state (null: the weights only, a model to sample from) with the
     * run's fields of state (iter_num, best_val_loss, config, vocab, ...; {@link Header#at}); model_args,
     * optimizer_step and the tensor list are filled in here. What the trainer writes as ckpt.bin.
     */
    public static void save(Path file, GPT model, Optimizer optimizer, Header state) throws IOException {
        save(store(), file, model, optimizer, state);
    }

    /** {@link #save(Path, GPT, Optimizer, Header)} through a checkpoint part (a student's, with --parts=exercises). */
    public static void save(CheckpointStore store, Path file, GPT model, Optimizer optimizer, Header state)
            throws IOException {
        state.model_args = model.config();
        state.optimizer_step = optimizer == null ? 0 : optimizer.stepCount();
        store.save(file, state, withOptimizer(model.params(), optimizer));
    }

    /** The tensors a checkpoint holds: the trained ones, then the optimizer's state of them as "optimizer.*". */
    public static Map<String, NDArray> withOptimizer(Map<String, NDArray> trained, Optimizer optimizer) {
        Map<String, NDArray> tensors = new LinkedHashMap<>(trained);
        if (optimizer != null) {
            optimizer.state().forEach((k, v) -> tensors.put("optimizer." + k, v));
        }
        return tensors;
    }

    /**
     * Loads a checkpoint into a model of its architecture and an optimizer of its parameters (null: the
     * weights only), with the optimizer's step count; returns the header (iter_num, best_val_loss, ...).
     * A model of another shape, or an optimizer asked of a file without its state, is one message.
     */
    public static Header load(Path file, GPT model, Optimizer optimizer) throws IOException {
        Loaded ckpt = load(file);
        GPTConfig saved = ckpt.header().model_args, have = model.config();
        if (!saved.equals(new GPTConfig(have.block_size(), have.vocab_size(), have.n_layer(), have.n_head(),
                have.n_embd(), saved.dropout(), have.bias()))) {
            throw new IllegalArgumentException(String.format("%s holds a model with %s, but the model given has %s: "
                    + "build the model from the checkpoint's model_args (Checkpoint.load(file).header().model_args).",
                    file, architecture(saved), architecture(have)));
        }
        copyInto(ckpt, model.params(), "");
        if (optimizer != null) {
            if (ckpt.header().tensors.stream().noneMatch(t -> t.name().startsWith("optimizer."))) {
                throw new IllegalArgumentException(file + " holds no optimizer state (a model to sample from, such as "
                        + "lora-merge writes): load it with optimizer null, or resume from a run's own "
                        + FILE_NAME + ".");
            }
            copyInto(ckpt, optimizer.state(), "optimizer.");
            optimizer.setStepCount(ckpt.header().optimizer_step);
        }
        return ckpt.header();
    }

    private static String architecture(GPTConfig a) {
        return String.format("block_size=%d, vocab_size=%d, n_layer=%d, n_head=%d, n_embd=%d, bias=%s",
                a.block_size(), a.vocab_size(), a.n_layer(), a.n_head(), a.n_embd(), a.bias());
    }

    /** A trained model and its checkpoint's header (vocab, config): closing it frees the model. */
    public record Trained(GPT model, Header header) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    /**
     * The model a run left in outDir (its ckpt.bin), built on device with its weights: what sample,
     * formmatch and lora-merge read. seed only draws the weights that are then replaced.
     */
    public static Trained loadModel(Path outDir, Device device, long seed) throws IOException {
        Loaded ckpt = readModel(outDir);
        GPT model = new GPT(ckpt.header().model_args, device, seed);
        try {
            copyInto(ckpt, model.params(), "");
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return new Trained(model, ckpt.header());
    }

    /** The checkpoint of the model a run left in outDir, read and verified (no model built yet). */
    public static Loaded readModel(Path outDir) throws IOException {
        Path file = outDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No model in " + outDir + ": " + file + " does not exist. Give the "
                    + "out_dir of a trained model (./gptkit train writes one; e.g. out-songci-sft after ./gptkit "
                    + "finetune songci_sft_cpu ...).");
        }
        return load(file);
    }

    /** Copies saved values into live tensors, checking every name and shape first. */
    public static void copyInto(Loaded ckpt, Map<String, NDArray> target, String prefix) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        ckpt.header().tensors.forEach(t -> shapes.put(t.name(), t.shape()));
        for (Map.Entry<String, NDArray> e : target.entrySet()) {
            String name = prefix + e.getKey();
            long[] saved = shapes.get(name);
            if (saved == null) {
                throw new IllegalArgumentException("The checkpoint has no tensor " + name
                        + ": it was written for a different model. Resume with the config it was "
                        + "trained with, or start from scratch.");
            }
            Shape want = e.getValue().getShape();
            if (!want.equals(new Shape(saved))) {
                throw new IllegalArgumentException("Checkpoint tensor " + name + " has shape "
                        + new Shape(saved) + " but the model expects " + want
                        + ": the checkpoint does not match this model's config.");
            }
        }
        try (NoGrad ng = NoGrad.open()) {
            for (Map.Entry<String, NDArray> e : target.entrySet()) {
                Tensors.copyInto(e.getValue(), ckpt.tensor(prefix + e.getKey()));
            }
        }
    }

}

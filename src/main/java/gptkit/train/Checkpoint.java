package gptkit.train;

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
import gptkit.autograd.Tensors;
import gptkit.autograd.NoGrad;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

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
        byte[] all = TensorFile.readVerified(file, MAGIC, "gptkit checkpoint", fix);
        return parse(file, all, fix);
    }

    /** Every field checked before use: a valid-CRC but inconsistent file is one IOException naming the field. */
    private static Loaded parse(Path file, byte[] all, String fix) throws IOException {
        int end = all.length - 8; // the CRC
        ByteBuffer buf = ByteBuffer.wrap(all, 0, end);
        buf.position(MAGIC.length);
        int jsonLen = buf.getInt();
        int afterLen = buf.position();
        if (jsonLen < 0 || jsonLen > end - afterLen) {
            throw new IOException(String.format("%s: the header length field says %d bytes, but %d bytes follow it.%s",
                    file, jsonLen, end - afterLen, fix));
        }
        Header header;
        try {
            header = GSON.fromJson(new String(all, afterLen, jsonLen, StandardCharsets.UTF_8), Header.class);
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
        long left = end - (afterLen + jsonLen);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int i = 0; i < header.tensors.size(); i++) {
            TensorInfo t = header.tensors.get(i);
            if (t == null || t.name() == null || t.shape() == null) {
                throw new IOException(String.format("%s: tensors[%d] has no %s.%s", file, i,
                        t == null ? "name and shape" : t.name() == null ? "name" : "shape", fix));
            }
            long n = 1;
            for (long d : t.shape()) {
                if (d < 0) {
                    throw new IOException(String.format("%s: tensor %s has a negative dimension in its shape %s.%s",
                            file, t.name(), java.util.Arrays.toString(t.shape()), fix));
                }
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException e) {
                    n = Long.MAX_VALUE;
                }
            }
            if (n > Integer.MAX_VALUE - 8 || 4 * n > left) {
                throw new IOException(String.format("%s: tensor %s has shape %s (%,d values, %,d bytes) but only %,d "
                        + "bytes of tensor data are left in the file.%s", file, t.name(),
                        java.util.Arrays.toString(t.shape()), n, n > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * n,
                        left, fix));
            }
            left -= 4 * n;
            if (shapes.put(t.name(), t.shape()) != null) {
                throw new IOException(file + ": tensor " + t.name() + " is listed twice." + fix);
            }
        }
        if (left != 0) {
            throw new IOException(String.format("%s: %,d bytes of tensor data are not described by the header's "
                    + "tensors list.%s", file, left, fix));
        }
        Map<String, long[]> want = GPT.shapes(args);
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            long[] got = shapes.get(e.getKey());
            if (got == null) {
                throw new IOException(String.format("%s: tensor %s is missing, but model_args (n_layer=%d, "
                        + "n_embd=%d, bias=%s) need it.%s", file, e.getKey(), args.n_layer(), args.n_embd(),
                        args.bias(), fix));
            }
            if (!java.util.Arrays.equals(got, e.getValue())) {
                throw new IOException(String.format("%s: tensor %s has shape %s but model_args (block_size=%d, "
                        + "vocab_size=%d, n_embd=%d) give %s.%s", file, e.getKey(), java.util.Arrays.toString(got),
                        args.block_size(), args.vocab_size(), args.n_embd(), java.util.Arrays.toString(e.getValue()),
                        fix));
            }
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            for (String prefix : new String[] {"optimizer.exp_avg.", "optimizer.exp_avg_sq."}) {
                if (e.getKey().startsWith(prefix)) {
                    long[] param = want.get(e.getKey().substring(prefix.length()));
                    if (param != null && !java.util.Arrays.equals(param, e.getValue())) {
                        throw new IOException(String.format("%s: tensor %s has shape %s but its parameter has %s.%s",
                                file, e.getKey(), java.util.Arrays.toString(e.getValue()),
                                java.util.Arrays.toString(param), fix));
                    }
                }
            }
        }
        buf.position(afterLen + jsonLen);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors) {
            int n = (int) new Shape(t.shape()).size();
            float[] d = new float[n];
            buf.asFloatBuffer().get(d);
            buf.position(buf.position() + 4 * n);
            tensors.put(t.name(), d);
        }
        return new Loaded(header, tensors);
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

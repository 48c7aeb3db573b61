package gptkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import gptkit.Tensors;
import gptkit.autograd.NoGrad;
import gptkit.model.GPTConfig;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    /** The header: everything but the tensors. */
    public static final class Header {
        public GPTConfig model_args;
        public int iter_num;
        public double best_val_loss;
        public long optimizer_step;
        public double scaler_scale; // float16 runs: the GradScaler's state
        public int scaler_growth_tracker;
        public long skipped_steps;
        public Map<String, Object> config;
        public String vocab;
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<float[]> data = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            if (a.getDataType() != DataType.FLOAT32) {
                a = a.toType(DataType.FLOAT32, true);
            }
            header.tensors.add(new TensorInfo(e.getKey(), e.getValue().getShape().getShape()));
            data.add(a.toFloatArray());
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(json.length);
            out.write(json);
            for (float[] d : data) {
                ByteBuffer b = ByteBuffer.allocate(d.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(d);
                out.write(b.array());
            }
        }
        byte[] body = bytes.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(body);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            OutputStream os = java.nio.channels.Channels.newOutputStream(ch);
            os.write(body);
            os.write(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
            os.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads and verifies a checkpoint; any damage is one clear IOException. */
    public static Loaded load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("No checkpoint at " + file
                    + ". Train first (init_from=scratch), or point --out_dir at the run to resume.");
        }
        byte[] all = Files.readAllBytes(file);
        String fix = " The file is damaged or not a gptkit checkpoint: train again from scratch, "
                + "or restore a copy of " + file.getFileName() + ".";
        if (all.length < MAGIC.length + 12
                || !java.util.Arrays.equals(java.util.Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IOException(file + " does not start like a gptkit checkpoint." + fix);
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException(file + " fails its checksum (truncated or corrupted)." + fix);
        }
        ByteBuffer buf = ByteBuffer.wrap(all, 0, all.length - 8);
        buf.position(MAGIC.length);
        int jsonLen = buf.getInt();
        Header header;
        try {
            header = GSON.fromJson(new String(all, buf.position(), jsonLen, StandardCharsets.UTF_8), Header.class);
        } catch (JsonParseException e) {
            throw new IOException(file + " has an unreadable header." + fix, e);
        }
        buf.position(buf.position() + jsonLen);
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

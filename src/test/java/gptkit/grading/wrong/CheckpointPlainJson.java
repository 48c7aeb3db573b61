package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import gptkit.checkpoint.CheckpointStore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wrong: the reference checkpoint with a plain Gson, which refuses to write a best_val_loss of Infinity or NaN. */
public final class CheckpointPlainJson implements CheckpointStore {
    private static final String MAGIC = "gptkit exercise checkpoint 1";
    private static final int END = 0x454e4421; // "END!"
    /** best_val_loss may be Infinity or NaN: JSON has no word for them unless told. */
    private static final Gson GSON = new GsonBuilder().create(); // wrong: Infinity and NaN are refused

    public CheckpointPlainJson() {}

    @Override
    public void save(Path file, gptkit.checkpoint.Checkpoint.Header header, Map<String, NDArray> tensors)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(fos, 1 << 16))) {
                out.writeUTF(MAGIC);
                byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
                out.writeInt(json.length); // writeUTF stops at 64 KB; a vocabulary can be longer
                out.write(json);
                out.writeInt(tensors.size());
                for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                    NDArray a = e.getValue();
                    long[] shape = a.getShape().getShape();
                    out.writeUTF(e.getKey());
                    out.writeInt(shape.length);
                    for (long d : shape) {
                        out.writeLong(d);
                    }
                    for (float v : float32(a)) {
                        out.writeFloat(v); // the float's 4 bytes: every value comes back bit for bit
                    }
                }
                out.writeInt(END);
                out.flush();
                fos.getFD().sync(); // on disk before the rename makes it the checkpoint
            }
            // the old checkpoint stays whole until this instant
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp); // a failed save leaves nothing behind; after the move it is gone already
        }
    }

    private static float[] float32(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return a.toFloatArray();
        }
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    @Override
    public gptkit.checkpoint.Checkpoint.Loaded load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("No checkpoint at " + file);
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw new IOException(file + " is not a checkpoint of this format");
            }
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            gptkit.checkpoint.Checkpoint.Header header =
                    GSON.fromJson(new String(json, StandardCharsets.UTF_8), gptkit.checkpoint.Checkpoint.Header.class);
            int n = in.readInt();
            List<gptkit.checkpoint.Checkpoint.TensorInfo> infos = new ArrayList<>();
            Map<String, float[]> tensors = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                long[] shape = new long[in.readInt()];
                long size = 1;
                for (int k = 0; k < shape.length; k++) {
                    shape[k] = in.readLong();
                    size *= shape[k];
                    if (shape[k] < 0 || size > Integer.MAX_VALUE) {
                        throw new IOException(file + " is damaged: tensor " + name + " has an impossible shape");
                    }
                }
                float[] values = new float[(int) size];
                for (int k = 0; k < values.length; k++) {
                    values[k] = in.readFloat();
                }
                infos.add(new gptkit.checkpoint.Checkpoint.TensorInfo(name, shape));
                tensors.put(name, values);
            }
            if (in.readInt() != END || in.read() != -1) {
                throw new IOException(file + " does not end where its checkpoint ends");
            }
            header.tensors = infos; // the shapes, read from the file: resume checks them against the model
            return new gptkit.checkpoint.Checkpoint.Loaded(header, tensors);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated: it ends in the middle of the checkpoint", e);
        } catch (JsonParseException e) {
            throw new IOException(file + " has a damaged header: " + e.getMessage(), e);
        }
    }
}

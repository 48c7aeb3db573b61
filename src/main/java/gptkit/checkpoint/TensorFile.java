package gptkit.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The framing both checkpoint files share (ckpt.bin and lora.bin): a magic line, the length of a
 * JSON header, the header, the tensors as little-endian float32 in the header's order, and a CRC32
 * of all that. Written to a temp file beside the target, flushed to disk and moved over it, so a
 * crash mid-save leaves the previous file whole. Read by one reader ({@link #read}, {@link #tensors})
 * for both: each format only maps its JSON to {@link Checkpoint.Header}.
 */
final class TensorFile {
    private TensorFile() {}

    static void write(Path file, byte[] magic, String json, List<float[]> data) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(magic);
            out.writeInt(header.length);
            out.write(header);
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
        // a temp name of its own per save (two writers never share one), removed if the save fails
        Path tmp = gptkit.files.SafeFiles.tempBeside(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream os = Channels.newOutputStream(ch);
                os.write(body);
                os.write(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
                os.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The file's bytes, CRC included, once its magic line and CRC are checked; kind names the file
     * in messages ("gptkit checkpoint"), fix says what to do.
     */
    static byte[] readVerified(Path file, byte[] magic, String kind, String fix) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < magic.length + 12 || !Arrays.equals(Arrays.copyOf(all, magic.length), magic)) {
            throw new IOException(file + " does not start like a " + kind + "." + fix);
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        if (ByteBuffer.wrap(all, all.length - 8, 8).getLong() != crc.getValue()) {
            throw new IOException(file + " fails its checksum (truncated or corrupted)." + fix);
        }
        return all;
    }

    /** A verified file: its JSON header, and the tensor data after it (little-endian, CRC excluded). */
    record Frame(Path file, String json, ByteBuffer data, String fix) {}

    /** Reads and verifies the framing: magic line, CRC, a header length that fits the file. */
    static Frame read(Path file, byte[] magic, String kind, String fix) throws IOException {
        byte[] all = readVerified(file, magic, kind, fix);
        int end = all.length - 8; // the CRC
        ByteBuffer buf = ByteBuffer.wrap(all, 0, end);
        buf.position(magic.length);
        int jsonLen = buf.getInt();
        int afterLen = buf.position();
        if (jsonLen < 0 || jsonLen > end - afterLen) {
            throw new IOException(String.format("%s: the header length field says %d bytes, but %d bytes follow it.%s",
                    file, jsonLen, end - afterLen, fix));
        }
        String json = new String(all, afterLen, jsonLen, StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.wrap(all, afterLen + jsonLen, end - afterLen - jsonLen).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        return new Frame(file, json, data, fix);
    }

    /**
     * The tensors the header lists, by name in its order: every entry named and shaped, each name once,
     * each shape within the data left, and no data left over; each failure one IOException naming the file.
     */
    static Map<String, float[]> tensors(Frame f, List<Checkpoint.TensorInfo> list) throws IOException {
        Path file = f.file();
        String fix = f.fix();
        long left = f.data().remaining();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Checkpoint.TensorInfo t = list.get(i);
            if (t == null || t.name() == null || t.shape() == null) {
                throw new IOException(String.format("%s: tensors[%d] has no %s.%s", file, i,
                        t == null ? "name and shape" : t.name() == null ? "name" : "shape", fix));
            }
            long n = 1;
            for (long d : t.shape()) {
                if (d < 0) {
                    throw new IOException(String.format("%s: tensor %s has a negative dimension in its shape %s.%s",
                            file, t.name(), Arrays.toString(t.shape()), fix));
                }
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException e) {
                    n = Long.MAX_VALUE;
                }
            }
            if (n > Integer.MAX_VALUE - 8 || 4 * n > left) {
                throw new IOException(String.format("%s: tensor %s has shape %s (%,d values, %,d bytes) but only %,d "
                        + "bytes of tensor data are left in the file.%s", file, t.name(), Arrays.toString(t.shape()),
                        n, n > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * n, left, fix));
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
        ByteBuffer buf = f.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] d = new float[(int) Arrays.stream(shape).reduce(1, Math::multiplyExact)];
            buf.asFloatBuffer().get(d);
            buf.position(buf.position() + 4 * d.length);
            tensors.put(name, d);
        });
        return tensors;
    }

    /**
     * Checks the listed shapes against what the header's model needs (want: each tensor's shape), and each
     * optimizer state ("optimizer.exp_avg.NAME") against its parameter's; needs and gives name the header's
     * fields in messages ("model_args (n_layer=6, ...)").
     */
    static void requireShapes(Frame f, List<Checkpoint.TensorInfo> list, Map<String, long[]> want, String needs,
                              String gives) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        list.forEach(t -> shapes.put(t.name(), t.shape()));
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            long[] got = shapes.get(e.getKey());
            if (got == null) {
                throw new IOException(String.format("%s: tensor %s is missing, but %s need it.%s", f.file(), e.getKey(),
                        needs, f.fix()));
            }
            if (!Arrays.equals(got, e.getValue())) {
                throw new IOException(String.format("%s: tensor %s has shape %s but %s give %s.%s", f.file(),
                        e.getKey(), Arrays.toString(got), gives, Arrays.toString(e.getValue()), f.fix()));
            }
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (e.getKey().startsWith("optimizer.")) {
                String name = e.getKey().substring(e.getKey().indexOf('.', "optimizer.".length()) + 1);
                long[] param = want.get(name);
                if (param != null && !Arrays.equals(param, e.getValue())) {
                    throw new IOException(String.format("%s: tensor %s has shape %s but its parameter has %s.%s",
                            f.file(), e.getKey(), Arrays.toString(e.getValue()), Arrays.toString(param), f.fix()));
                }
            }
        }
    }
}

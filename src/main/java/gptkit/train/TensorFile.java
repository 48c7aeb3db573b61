package gptkit.train;

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
import java.util.List;
import java.util.zip.CRC32;

/**
 * The framing both checkpoint files share (ckpt.bin and lora.bin): a magic line, the length of a
 * JSON header, the header, the tensors as little-endian float32 in the header's order, and a CRC32
 * of all that. Written to a temp file beside the target, flushed to disk and moved over it, so a
 * crash mid-save leaves the previous file whole.
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
}

package gptkit.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A token file as nanoGPT writes it: uint16, little-endian, no header (np.memmap reads it),
 * read here through a memory map so a corpus never has to fit in the Java heap.
 */
public final class TokenFile {
    private final Path path;
    private final ShortBuffer tokens;

    private TokenFile(Path path, ShortBuffer tokens) {
        this.path = path;
        this.tokens = tokens;
    }

    public static TokenFile open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("No token file at " + path + ": run `prepare` for this dataset first.");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size % 2 != 0) {
                throw new IOException(path + " has an odd number of bytes: not a uint16 token file. Run `prepare` again.");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return new TokenFile(path, map.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer());
        }
    }

    public long length() {
        return tokens.limit();
    }

    /** The token at position i, as an unsigned id. */
    public int get(long i) {
        return tokens.get((int) i) & 0xFFFF;
    }

    public Path path() {
        return path;
    }

    /** Writes ids as uint16 via a temp file and a rename, so a reader never sees half a file. */
    public static void write(Path path, int[] ids, int from, int to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((to - from) * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            if (ids[i] < 0 || ids[i] > 0xFFFF) {
                throw new IllegalArgumentException("token id " + ids[i] + " does not fit in uint16");
            }
            buf.putShort((short) ids[i]);
        }
        // a temp file of its own: several DDP ranks may prepare the same dataset at once
        Path tmp = Files.createTempFile(path.toAbsolutePath().getParent(), path.getFileName().toString(), ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(buf.array());
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

package gptkit.data;

import gptkit.SafeFiles;

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
 * read here through a memory map so a corpus never has to fit in the Java heap. Opening checks
 * that the file belongs with the vocab.txt beside it (meta.json, written by prepare), so a
 * folder mixing two datasets is one clear error instead of libtorch's "index out of range".
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
        Prepare.checkBelongs(path);
        TokenFile f;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size % 2 != 0) {
                throw new IOException(path + " has an odd number of bytes: not a uint16 token file. Run `prepare` again.");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            f = new TokenFile(path, map.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer());
        }
        Path vocab = path.toAbsolutePath().resolveSibling("vocab.txt");
        if (!Files.isRegularFile(path.toAbsolutePath().resolveSibling(Prepare.META)) && Files.isRegularFile(vocab)) {
            // prepared by an older gptkit, without meta.json: at least every id must index the vocabulary
            int size = CharTokenizer.load(vocab).vocabSize();
            for (long i = 0; i < f.length(); i++) {
                int id = f.get(i);
                if (id >= size) {
                    throw new IOException(String.format("%s holds token id %d at position %,d, but %s has only %d "
                            + "characters: the token files and the vocabulary come from different prepares. Run "
                            + "`./gptkit prepare %s` again.", path, id, i, vocab, size,
                            vocab.getParent().getFileName()));
                }
            }
        }
        return f;
    }

    public long length() {
        return tokens.limit();
    }

    /** The token at position i, as an unsigned id. */
    public int get(long i) {
        return tokens.get((int) i) & 0xFFFF;
    }

    /** Tokens from (inclusive) to to (exclusive), as ints. */
    public int[] slice(long from, long to) {
        int[] ids = new int[Math.toIntExact(to - from)];
        for (long i = from; i < to; i++) {
            ids[(int) (i - from)] = get(i);
        }
        return ids;
    }

    public Path path() {
        return path;
    }

    /**
     * Writes ids as uint16 via a temp file of its own and a rename, so a reader never sees half a
     * file; readable by everyone (rw-r--r--). Prepare writes a whole folder at once instead.
     */
    public static void write(Path path, int[] ids, int from, int to) throws IOException {
        Path tmp = SafeFiles.tempBeside(path.toAbsolutePath());
        try {
            writeRaw(tmp, ids, from, to);
            SafeFiles.readableByAll(tmp);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            SafeFiles.deleteQuietly(tmp);
        }
    }

    /** Writes ids as uint16 straight into path. */
    static void writeRaw(Path path, int[] ids, int from, int to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((to - from) * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            if (ids[i] < 0 || ids[i] > 0xFFFF) {
                throw new IllegalArgumentException("token id " + ids[i] + " does not fit in uint16");
            }
            buf.putShort((short) ids[i]);
        }
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(buf.array());
        }
    }
}

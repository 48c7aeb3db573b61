package gptkit.data;

import gptkit.files.SafeFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A token file as nanoGPT writes it: uint16, little-endian, no header (np.memmap reads it),
 * read here through memory maps (1 GiB pieces) so a corpus never has to fit in the Java heap. Opening checks
 * that the file belongs with the vocab.txt beside it (meta.json, written by prepare), so a
 * folder mixing two datasets is one clear error instead of libtorch's "index out of range".
 */
public final class TokenFile {
    /**
     * Tokens per mapped piece: 2^29 (1 GiB). One MappedByteBuffer holds at most 2 GiB, and nanoGPT's
     * OpenWebText train.bin is 9 GB, so a large file is mapped as several pieces; position i lives in
     * piece i / 2^29 at i % 2^29, so a window across a boundary is read token by token like any other.
     */
    static final int CHUNK_SHIFT = 29;
    private final Path path;
    private final ShortBuffer[] chunks;
    private final long length;

    private TokenFile(Path path, ShortBuffer[] chunks, long length) {
        this.path = path;
        this.chunks = chunks;
        this.length = length;
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
            long tokens = size / 2;
            ShortBuffer[] chunks = new ShortBuffer[(int) ((tokens + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT)];
            for (int c = 0; c < chunks.length; c++) {
                long from = (long) c << CHUNK_SHIFT;
                long n = Math.min(1L << CHUNK_SHIFT, tokens - from);
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 2 * from, 2 * n);
                chunks[c] = map.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            }
            f = new TokenFile(path, chunks, tokens);
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
        return length;
    }

    /** The token at position i, as an unsigned id. */
    public int get(long i) {
        if (i < 0 || i >= length) { // a wrong index into another piece would read the wrong token silently
            throw new IndexOutOfBoundsException("token " + i + " of " + length + " in " + path);
        }
        return chunks[(int) (i >>> CHUNK_SHIFT)].get((int) (i & ((1L << CHUNK_SHIFT) - 1))) & 0xFFFF;
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
        try (Writer w = new Writer(path)) {
            for (int i = from; i < to; i++) {
                w.put(ids[i]);
            }
        }
    }

    /** A token file written one id at a time through a small buffer, its sha256 taken on the way. */
    static final class Writer implements AutoCloseable {
        private final OutputStream out;
        private final MessageDigest sha = TextStream.sha256();
        private final byte[] buf = new byte[1 << 16];
        private int used;
        private long count;
        private boolean closed;

        Writer(Path path) throws IOException {
            out = Files.newOutputStream(path);
        }

        void put(int id) throws IOException {
            if (id < 0 || id > 0xFFFF) {
                throw new IllegalArgumentException("token id " + id + " does not fit in uint16");
            }
            if (used == buf.length) {
                flush();
            }
            buf[used++] = (byte) id; // little-endian, as numpy's uint16
            buf[used++] = (byte) (id >>> 8);
            count++;
        }

        private void flush() throws IOException {
            out.write(buf, 0, used);
            sha.update(buf, 0, used);
            used = 0;
        }

        /** How many tokens were put. */
        long count() {
            return count;
        }

        /** The sha256 of what was written; call after close. */
        String sha256() {
            return HexFormat.of().formatHex(sha.digest());
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                try (out) {
                    flush();
                }
            }
        }
    }
}

package gptkit.reliability;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import gptkit.data.GetBatch;
import gptkit.data.Prepare;
import gptkit.data.TokenFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: a token file over 2 GiB (one MappedByteBuffer's limit; nanoGPT's OpenWebText train.bin
 * is 9 GB) opens, reads windows across its 1 GiB pieces and trains. The file is sparse: 2.2 GiB on
 * paper, a few blocks on disk.
 */
class LargeTokenFileTest {
    static final long TOKENS = 1_181_116_006L; // 2.2 GiB of uint16
    static final long[] BOUNDARIES = {1L << 29, 1L << 30}; // the first piece's end (1 GiB), and 2 GiB

    /** The token written at p near a boundary or the end: 1..5 in turn; 0 (the sparse zeros) elsewhere. */
    static int known(long p) {
        return 1 + (int) (p % 5);
    }

    /** data/big: the sparse train.bin, a small val.bin, vocab "abcdef", and a meta.json for them. */
    static Path bigDataset(Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve("big"));
        Path train = dir.resolve("train.bin");
        try (RandomAccessFile f = new RandomAccessFile(train.toFile(), "rw")) {
            f.setLength(2 * TOKENS);
            for (long b : new long[] {BOUNDARIES[0], BOUNDARIES[1], TOKENS - 20}) {
                for (long p = b - 20; p < Math.min(b + 20, TOKENS); p++) {
                    f.seek(2 * p);
                    f.write(new byte[] {(byte) known(p), 0}); // little-endian uint16
                }
            }
        }
        int[] val = new int[1000];
        for (int i = 0; i < val.length; i++) {
            val[i] = i % 6;
        }
        TokenFile.write(dir.resolve("val.bin"), val, 0, val.length);
        Files.writeString(dir.resolve("vocab.txt"), "abcdef", StandardCharsets.UTF_8);
        Prepare.Meta m = new Prepare.Meta();
        m.source = "(a sparse file of issue 21's test)";
        m.vocab_size = 6;
        m.vocab_sha256 = sha256(Files.readAllBytes(dir.resolve("vocab.txt")));
        m.train_tokens = TOKENS;
        // not its sha256: with the size and mtime meta.json records, load does not hash 2.2 GiB again
        m.train_sha256 = "0".repeat(64);
        m.train_mtime_ns = Files.getLastModifiedTime(train).to(TimeUnit.NANOSECONDS);
        m.val_tokens = val.length;
        m.val_sha256 = sha256(Files.readAllBytes(dir.resolve("val.bin")));
        Files.writeString(dir.resolve("meta.json"), new com.google.gson.Gson().toJson(m));
        return dir;
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A generator whose draws in [0, bound) are the given offsets in turn: get_batch's windows where we want them. */
    static RandomGenerator at(long... offsets) {
        return new RandomGenerator() {
            int i;

            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long nextLong(long bound) {
                assertTrue(offsets[i] < bound, offsets[i] + " >= " + bound);
                return offsets[i++];
            }
        };
    }

    @Test
    void aTokenFileOver2GiBReadsWindowsAcrossItsPiecesAndTrains(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Path dir = bigDataset(data);
        long t0 = System.nanoTime();
        TokenFile f = TokenFile.open(dir.resolve("train.bin"));
        double openSec = (System.nanoTime() - t0) / 1e9;
        assertEquals(TOKENS, f.length());
        assertTrue(openSec < 30, "open took " + openSec + " s"); // hashing would read 2.2 GiB; the mtime says no need
        for (long b : BOUNDARIES) {
            for (long p = b - 20; p < b + 20; p++) {
                assertEquals(known(p), f.get(p), "token " + p);
            }
            assertEquals(0, f.get(b - 21));
            assertEquals(0, f.get(b + 20));
        }
        assertEquals(known(TOKENS - 1), f.get(TOKENS - 1));
        assertThrows(IndexOutOfBoundsException.class, () -> f.get(TOKENS));
        assertThrows(IndexOutOfBoundsException.class, () -> f.get(-1));

        // get_batch: windows of block_size + 1 tokens straddling each boundary, and the last window of the file
        int block = 8;
        long[] offs = {BOUNDARIES[0] - 4, BOUNDARIES[1] - 7, BOUNDARIES[1] - 1, TOKENS - block - 1};
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDList xy = GetBatch.getBatch(f, block, offs.length, at(offs), m);
            long[] x = xy.get(0).toLongArray();
            long[] y = xy.get(1).toLongArray();
            for (int r = 0; r < offs.length; r++) {
                long[] wx = new long[block];
                long[] wy = new long[block];
                for (int t = 0; t < block; t++) {
                    wx[t] = known(offs[r] + t);
                    wy[t] = known(offs[r] + t + 1);
                }
                assertArrayEquals(wx, java.util.Arrays.copyOfRange(x, r * block, (r + 1) * block), "x row " + r);
                assertArrayEquals(wy, java.util.Arrays.copyOfRange(y, r * block, (r + 1) * block), "y row " + r);
            }
        }
        assertArrayEquals(new int[] {known(BOUNDARIES[1] - 2), known(BOUNDARIES[1] - 1), known(BOUNDARIES[1]),
                known(BOUNDARIES[1] + 1)}, f.slice(BOUNDARIES[1] - 2, BOUNDARIES[1] + 2));

        // and a few iterations of training on it
        Cli c = Cli.run(Cli.trainArgs(tmp.resolve("out"), "--data_dir=" + data, "--dataset=big"));
        assertEquals(0, c.code, c.err);
        assertTrue(Files.isRegularFile(tmp.resolve("out/ckpt.bin")));
    }

    /** The shortcut is for untouched files only: a token file changed since prepare is hashed and refused. */
    @Test
    void aTokenFileChangedInPlaceIsHashedAgainAndRefused(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("d");
        Prepare.prepareText(DataReliabilityTest.text(12, "abcdef \n"), dir);
        Path train = dir.resolve("train.bin");
        FileTime before = Files.getLastModifiedTime(train);
        TokenFile.open(train);
        try (RandomAccessFile f = new RandomAccessFile(train.toFile(), "rw")) {
            int a = f.read();
            f.seek(0);
            f.write(a == 0 ? 1 : 0); // another token id, same size
        }
        Files.setLastModifiedTime(train, FileTime.fromMillis(before.toMillis() + 5000));
        IOException e = assertThrows(IOException.class, () -> TokenFile.open(train));
        assertTrue(e.getMessage().contains("does not belong") && e.getMessage().contains("prepare d"), e.getMessage());
    }
}

package gptkit.reliability;

import gptkit.data.CharTokenizer;
import gptkit.data.Prepare;
import gptkit.data.TextFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: prepare streams its text (two passes, never the whole text in memory) and gives the
 * files the in-memory prepare gave; Windows line endings become "\n".
 */
class PrepareStreamingTest {
    static final Path SHARED = Path.of(System.getenv().getOrDefault("GPTKIT_DATA", "../shared/data"));

    /**
     * sha256 of train.bin, val.bin and vocab.txt as the in-memory prepare (before issue 21) wrote them,
     * for the corpora in $GPTKIT_DATA: `./gptkit prepare DATASET` at commit ece452e.
     */
    static final Map<String, List<String>> BEFORE = Map.of(
            "shakespeare_char", List.of("6ec305602a99ac2802745a134e1f5e33e2231b4855525b00b9aebb730ac2626f",
                    "d37d30cc0c8327c270d493299c3dca54135f6d5f1c9ef60cda78076e311204b1",
                    "a2b8d01246933c0923ea2a7b46a1056f40c18710360097851369cdf7958fee95"),
            "songci", List.of("1a9bac763fc02ae204274de8921311dace71b92518d7c2dc27e70b0600592344",
                    "5d890486cefa88b016f6f3834b74e412ee699606b4738c939f2146512d2851e8",
                    "2b953ba8c9308aeb0d204be7456209016fbb969d6c6cda62942b43738bb0b839"),
            "songci_poems", List.of("348e455a38b06dc575081ce90004b6790e539293db9008e237719dbb193983cf",
                    "8e3684ba72335a3439b013476a5d9bd16177ea9a59236225ba08a9bd08f1b909",
                    "2b953ba8c9308aeb0d204be7456209016fbb969d6c6cda62942b43738bb0b839"),
            "songci_sft", List.of("12d8e7f1ac852f4988c53d6ac3e1f9ca34283ecd128ebc7814375fab9b8415e4",
                    "b3ab291527329e529db61208aad73c7cbc7039d35107a0b9c20600be840ce397",
                    "2b953ba8c9308aeb0d204be7456209016fbb969d6c6cda62942b43738bb0b839"));

    /** The prepare of before issue 21, in memory: decode all, vocabulary, encode, 90/10 split. */
    static byte[][] oldPrepare(byte[] text) throws IOException {
        String s = TextFiles.decodeUtf8(text, Path.of("x.txt"));
        CharTokenizer tok = CharTokenizer.fromText(s);
        int[] ids = tok.encode(s);
        int split = (int) (ids.length * 0.9);
        return new byte[][] {uint16(ids, 0, split), uint16(ids, split, ids.length),
                tok.chars().getBytes(StandardCharsets.UTF_8)};
    }

    static byte[] uint16(int[] ids, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate(2 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            b.putShort((short) ids[i]);
        }
        return b.array();
    }

    static byte[][] prepared(Path dir) throws IOException {
        return new byte[][] {Files.readAllBytes(dir.resolve("train.bin")), Files.readAllBytes(dir.resolve("val.bin")),
                Files.readAllBytes(dir.resolve("vocab.txt"))};
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void theCorporaPrepareToTheFilesTheyDidBefore(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Cli text = Cli.run("prepare", "--text=" + SHARED.resolve("tinyshakespeare.txt"), "--name=ts",
                "--data_dir=" + data);
        assertEquals(0, text.code, text.err);
        List<String> ts = new ArrayList<>();
        for (String f : List.of("train.bin", "val.bin", "vocab.txt")) {
            ts.add(sha256(data.resolve("ts").resolve(f)));
        }
        assertEquals(BEFORE.get("shakespeare_char"), ts, "prepare --text");
        for (String dataset : BEFORE.keySet()) {
            Cli c = DataReliabilityTest.withProps(Map.of("gptkit.data", SHARED.toString()),
                    () -> Cli.run("prepare", dataset, "--data_dir=" + data));
            assertEquals(0, c.code, c.err);
            List<String> got = new ArrayList<>();
            for (String f : List.of("train.bin", "val.bin", "vocab.txt")) {
                got.add(sha256(data.resolve(dataset).resolve(f)));
            }
            assertEquals(BEFORE.get(dataset), got, dataset);
            var meta = Prepare.readMeta(data.resolve(dataset).resolve("meta.json"));
            assertEquals(List.of(meta.train_sha256, meta.val_sha256, meta.vocab_sha256), got, "meta.json's sha256s");
        }
    }

    /** Texts whose characters straddle the 1 MiB reads: multi-byte, 4-byte (surrogate pairs), a BOM. */
    @Test
    void textsAcrossTheReadBoundariesGiveTheOldFiles(@TempDir Path tmp) throws IOException {
        List<byte[]> texts = new ArrayList<>();
        for (int shift = 0; shift < 4; shift++) {
            StringBuilder sb = new StringBuilder("\uFEFF" + "a".repeat(shift));
            while (sb.length() < 1_300_000) {
                sb.append("\u00e9\u6625\uD83D\uDE00 line\rx\n"); // é 春 😀, a lone \r stays
            }
            texts.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        texts.add("tiny text!".repeat(3).getBytes(StandardCharsets.UTF_8));
        int i = 0;
        for (byte[] t : texts) {
            Path file = tmp.resolve("t" + i + ".txt");
            Files.write(file, t);
            Path dir = Prepare.prepareFile(file, "t" + i++, tmp.resolve("data")).dir();
            byte[][] want = oldPrepare(t);
            byte[][] got = prepared(dir);
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(want[k], got[k], file + " file " + k);
            }
        }
    }

    /** The streaming reader's messages are the in-memory decoder's, bad bytes past the first read included. */
    @Test
    void badBytesAreReportedAsBeforeAtAnyOffset(@TempDir Path tmp) throws IOException {
        byte[] big = "abc\n".repeat(400_000).getBytes(StandardCharsets.US_ASCII); // 1.6 MB: two reads
        List<byte[]> bad = new ArrayList<>();
        bad.add(with(big, 1_500_001, (byte) 0xE9)); // Latin-1 é after the first MiB
        bad.add(with(big, 1_048_575, (byte) 0xE6)); // a sequence cut by the read boundary, then ASCII
        bad.add(with(with(big, 20, (byte) 0xE9), 1_200_000, (byte) 0)); // a NUL is reported first, as before
        bad.add(new byte[] {(byte) 0xFF, (byte) 0xFE, 'h', 0, 'i', 0}); // UTF-16
        bad.add(java.util.Arrays.copyOf("ab\u6625".getBytes(StandardCharsets.UTF_8), 4)); // cut off at the end
        for (int k = 0; k < bad.size(); k++) {
            Path f = tmp.resolve("bad" + k + ".txt");
            Files.write(f, bad.get(k));
            String want = "";
            try {
                TextFiles.decodeUtf8(bad.get(k), f);
            } catch (IOException e) {
                want = e.getMessage();
            }
            assertFalse(want.isEmpty());
            String got = Cli.run("prepare", "--text=" + f, "--data_dir=" + tmp.resolve("data")).oneLineError();
            assertEquals("error: " + want, got);
        }
        assertFalse(Files.exists(tmp.resolve("data").resolve("bad0")), "nothing prepared");
    }

    static byte[] with(byte[] b, int at, byte v) {
        byte[] c = b.clone();
        c[at] = v;
        return c;
    }

    // a Windows text: "\r\n" becomes "\n", said in one line; a lone "\r" stays
    @Test
    void crlfLineEndingsBecomeLf(@TempDir Path tmp) throws IOException {
        String lf = DataReliabilityTest.text(11, "abc de\nfg\n");
        Path unix = tmp.resolve("unix.txt");
        Path win = tmp.resolve("win.txt");
        Files.writeString(win, lf.replace("\n", "\r\n") + "a lone\rstays");
        Files.writeString(unix, lf + "a lone\rstays");
        Path data = tmp.resolve("data");
        Cli u = Cli.run("prepare", "--text=" + unix, "--data_dir=" + data);
        Cli w = Cli.run("prepare", "--text=" + win, "--data_dir=" + data);
        assertEquals(0, w.code, w.err);
        long n = lf.chars().filter(c -> c == '\n').count();
        assertTrue(w.out.contains(String.format("converted %,d CRLF line endings to LF", n)), w.out);
        assertFalse(u.out.contains("CRLF"), u.out);
        byte[][] a = prepared(data.resolve("unix"));
        byte[][] b = prepared(data.resolve("win"));
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(a[k], b[k], "file " + k);
        }
        assertTrue(new String(b[2], StandardCharsets.UTF_8).contains("\r"), "the lone \\r is a character");
        assertEquals(n, Prepare.readMeta(data.resolve("win/meta.json")).crlf_to_lf);

        // a folder an older gptkit prepared from the same CRLF text (its "\r" kept) is prepared again
        Path meta = data.resolve("win/meta.json");
        Files.writeString(meta, Files.readString(meta).replaceAll(",\\s*\"crlf_to_lf\": \\d+", ""));
        Cli again = Cli.run("prepare", "--text=" + win, "--data_dir=" + data);
        assertFalse(again.out.contains("up to date"), again.out);
        assertTrue(again.out.contains("CRLF"), again.out);
        assertTrue(Cli.run("prepare", "--text=" + win, "--data_dir=" + data).out.contains("up to date"));
    }

    /**
     * A 96 MB text in a 40 MB heap (the in-memory prepare needed about ten times the text): the
     * streaming prepare holds a few megabytes whatever the text's size.
     */
    @Test
    void aTextLargerThanTheHeapPrepares(@TempDir Path tmp) throws Exception {
        Path big = tmp.resolve("big.txt");
        byte[] ts = Files.readAllBytes(SHARED.resolve("tinyshakespeare.txt"));
        try (var out = Files.newOutputStream(big)) {
            for (int i = 0; i < 86; i++) {
                out.write(ts);
            }
        }
        List<String> cmd = new ArrayList<>(Cli.command("prepare", "--text=" + big, "--data_dir=" + tmp.resolve("data")));
        cmd.replaceAll(a -> a.equals("-Xmx1g") ? "-Xmx40m" : a);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        p.getInputStream().transferTo(log);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log.toString());
        long n = 86L * ts.length;
        assertEquals(2 * n, Files.size(tmp.resolve("data/big/train.bin")) + Files.size(tmp.resolve("data/big/val.bin")));
        assertEquals(2 * (long) (n * 0.9), Files.size(tmp.resolve("data/big/train.bin")));
    }
}

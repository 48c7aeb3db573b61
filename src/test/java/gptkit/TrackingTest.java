package gptkit;

import gptkit.config.TrainConfig;
import gptkit.track.EventFile;
import gptkit.train.Trainer;
import gptkit.train.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --tracking=tensorboard: the event file's bytes against TensorBoard's own Python writer, and the
 * tracker in a run. scripts/test_tracking.py reads a CLI run's files with TensorBoard itself.
 */
class TrackingTest {
    private static final double T = 1.5; // wall_time of the reference events

    /**
     * Records made by TensorBoard 2.21's Python writer (tensorboard.summary.writer.record_writer
     * .RecordWriter over event_pb2.Event(...).SerializeToString(); the text through
     * tensorboard.plugins.text.summary_v2.text_pb): framing, CRCs and protobuf bytes must match.
     */
    @Test
    void recordsEqualTensorBoardsOwnWriter() {
        assertHex("1800000000000000a37f4b2209000000000000f83f1a0d627261696e2e4576656e743a322a28646c",
                EventFile.fileVersion(T));
        assertHex("1a00000000000000129bd82d09000000000000f83f10032a0d0a0b0a046c6f7373150000204081c510f9",
                EventFile.scalar(T, 3, "loss", 2.5f));
        assertHex("0f000000000000006d532b0909000000000000f83f10073a020801774771c7", EventFile.sessionStart(T, 7));
        assertHex("2f000000000000006d5d1d5009000000000000f83f10022a220a200a0673616d706c65420c080712004206e698a5e6b19f"
                + "4a080a060a047465787439e784be", EventFile.text(T, 2, "sample", "春江"));
        assertHex("290000000000000037ff5f0009000000000000f83f10042a1c0a1a0a0b6368617274732f6c6f7373220b08021003180322"
                + "03504e47bbb65081", EventFile.image(T, 4, "charts/loss", "PNG".getBytes(StandardCharsets.US_ASCII),
                3, 2));
    }

    private static void assertHex(String expected, byte[] event) {
        assertEquals(expected, HexFormat.of().formatHex(EventFile.record(event)));
    }

    @Test
    void maskedCrc32cOfTheStandardCheckString() {
        // CRC32C("123456789") = 0xe3069283 (RFC 3720); masked: rotate right 15, add 0xa282ead8
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        int crc = 0xe3069283;
        assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8, EventFile.maskedCrc32c(check, 0, check.length));
    }

    @Test
    void aTrackedRunWritesOneEventFileOfValidRecords(@TempDir Path out) throws IOException {
        TrainConfig cfg = TinyCorpus.config(out);
        cfg.tracking = "tensorboard";
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Trainer t = new Trainer(cfg, gptkit.train.Parts.library(), new PrintStream(printed, true))) {
            t.run();
        }
        List<Path> files = eventFiles(out);
        assertEquals(1, files.size(), files.toString());
        assertTrue(printed.toString().contains("tracking: TensorBoard events in " + files.get(0)), printed.toString());
        List<byte[]> records = records(Files.readAllBytes(files.get(0)));
        // file_version, START, config; 21 logged iterations of 5 scalars (speed/mfu_percent from the 6th on);
        // 5 evaluations of 2; the charts are off in the tiny config
        assertEquals(3 + 21 * 5 + (21 - 5) + 5 * 2, records.size());
        assertArrayEquals(EventFile.fileVersion(readWallTime(records.get(0))), records.get(0));
        String all = new String(Files.readAllBytes(files.get(0)), StandardCharsets.ISO_8859_1);
        for (String tag : List.of("config", "loss/batch", "loss/train", "loss/val", "lr", "grad_norm",
                "speed/ms_per_iter", "speed/tokens_per_s", "speed/mfu_percent")) {
            assertTrue(all.contains(tag), tag);
        }
    }

    @Test
    void offWritesNothing(@TempDir Path out) throws IOException {
        TrainConfig cfg = TinyCorpus.config(out);
        cfg.tracking = "off";
        try (Trainer t = new Trainer(cfg, gptkit.train.Parts.library(), TinyCorpus.quiet())) {
            assertNull(Tracking.attach(t, TinyCorpus.quiet()));
            t.run();
        }
        assertEquals(List.of(), eventFiles(out));
    }

    @Test
    void anUnknownValueIsAnErrorNamingTheKey(@TempDir Path out) {
        TrainConfig cfg = TinyCorpus.config(out);
        cfg.tracking = "wandb";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cfg::validate);
        assertTrue(e.getMessage().startsWith("tracking must be off or tensorboard") && e.getMessage().contains("'wandb'"),
                e.getMessage());
    }

    /** A tracker that cannot write says so once; the run trains to its end and keeps its log. */
    @Test
    void aFileThatCannotBeWrittenIsOneWarningAndTheRunGoesOn(@TempDir Path out) throws IOException {
        TrainConfig cfg = TinyCorpus.config(out);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(printed, true);
        cfg.tracking = "tensorboard";
        try (Trainer t = new Trainer(cfg, gptkit.train.Parts.library(), ps)) {
            Path file = eventFiles(out).get(0);
            // the file's place taken by a folder: every later append fails (as a full disk or a removed
            // mount would; a read-only folder stops nothing for root, who runs CI)
            Files.delete(file);
            Files.createDirectory(file);
            Trainer.Result r = t.run();
            assertEquals(21, r.iterNum());
        }
        String text = printed.toString();
        long warnings = text.lines().filter(l -> l.startsWith("warning: tracking:")).count();
        assertEquals(1, warnings, text);
        assertTrue(text.contains("the run goes on without tracking"), text);
        assertTrue(Files.readString(out.resolve("log.csv")).lines().anyMatch(l -> l.startsWith("20,")),
                "log.csv reaches the last iteration");
    }

    private static List<Path> eventFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(EventFile.PREFIX)
                    && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /** Splits TFRecords, checking both CRCs of each. */
    static List<byte[]> records(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            long length = b.getLong();
            assertEquals(EventFile.maskedCrc32c(file, at, 8), b.getInt(), "length CRC at byte " + at);
            byte[] data = new byte[(int) length];
            b.get(data);
            assertEquals(EventFile.maskedCrc32c(data, 0, data.length), b.getInt(), "data CRC at byte " + at);
            out.add(data);
        }
        return out;
    }

    private static double readWallTime(byte[] event) {
        assertNotNull(event);
        assertEquals(0x09, event[0]); // field 1, fixed64
        return ByteBuffer.wrap(event, 1, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble();
    }
}

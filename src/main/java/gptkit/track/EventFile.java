package gptkit.track;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file: TFRecords (TensorFlow's record_writer.cc) that each hold one Event
 * protobuf (tensorboard/compat/proto/event.proto). TensorBoard reads every file named
 * "*tfevents*" in a folder as that run's, in name order. The events are encoded with protobuf's
 * wire format by hand (no generated classes: five small messages), fields in number order as
 * protobuf's own serializers write them, so the bytes equal those of TensorBoard's Python writer.
 * <p>
 * Events gather in memory and reach the file at {@link #flush()}, appended: nothing is held open
 * between flushes, so a run that dies loses at most the events since the last flush.
 */
public final class EventFile {
    public static final String PREFIX = "events.out.tfevents.";
    private final Path path;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private EventFile(Path path) {
        this.path = path;
    }

    /**
     * A new event file in dir, its name after every event file already there (a resumed run adds
     * one; TensorBoard reads them in name order), beginning with the file_version event.
     */
    public static EventFile create(Path dir, double wallTime) throws IOException {
        Files.createDirectories(dir);
        long seconds = (long) wallTime;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (n.startsWith(PREFIX)) { // events.out.tfevents.<10-digit seconds>....
                    try {
                        seconds = Math.max(seconds, Long.parseLong(n.substring(PREFIX.length()).split("\\.")[0]) + 1);
                    } catch (NumberFormatException e) {
                        // another writer's naming: it sorts by its own digits; ours go after the time now
                    }
                }
            }
        }
        Path p = dir.resolve(String.format("%s%010d.gptkit.%d", PREFIX, seconds, ProcessHandle.current().pid()));
        EventFile f = new EventFile(p);
        f.add(fileVersion(wallTime));
        return f;
    }

    public Path path() {
        return path;
    }

    /** Queues one event (an encoded Event message) as a TFRecord. */
    public void add(byte[] event) {
        pending.writeBytes(record(event));
    }

    /** Appends the queued events to the file. */
    public void flush() throws IOException {
        if (pending.size() == 0) {
            return;
        }
        Files.write(path, pending.toByteArray(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        pending.reset();
    }

    /** TFRecord framing: length (uint64 LE), masked CRC32C of the length, data, masked CRC32C of data. */
    public static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc32c(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc32c(data, 0, data.length));
        return b.array();
    }

    /** TFRecord's masked CRC32C (crc32c.h: rotate right by 15 bits, add a constant). */
    public static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    // ---- Event messages --------------------------------------------------------------------

    /** The first event of every file: file_version "brain.Event:2". */
    public static byte[] fileVersion(double wallTime) {
        return message(o -> {
            o.writeDouble(1, wallTime);
            o.writeString(3, "brain.Event:2");
        });
    }

    /**
     * SessionLog START at step: TensorBoard drops the events of earlier files at steps >= step, as
     * when TensorFlow restarted from a checkpoint (a resumed run's steps replace the old ones).
     */
    public static byte[] sessionStart(double wallTime, long step) {
        return event(wallTime, step, 7, message(o -> o.writeEnum(1, 1))); // SessionLog.status = START
    }

    /** A scalar: Summary.Value.simple_value, drawn by TensorBoard's scalars dashboard. */
    public static byte[] scalar(double wallTime, long step, String tag, float value) {
        return summary(wallTime, step, message(o -> {
            o.writeString(1, tag);
            o.writeFloat(2, value);
        }));
    }

    /** A text (markdown), as the text plugin's summary: a scalar string tensor, plugin "text". */
    public static byte[] text(double wallTime, long step, String tag, String text) {
        byte[] tensor = message(o -> {
            o.writeEnum(1, 7); // dtype DT_STRING
            o.writeByteArray(2, new byte[0]); // tensor_shape: a scalar
            o.writeByteArray(8, text.getBytes(StandardCharsets.UTF_8)); // string_val
        });
        byte[] metadata = message(o -> o.writeByteArray(1, message(p -> p.writeString(1, "text"))));
        return summary(wallTime, step, message(o -> {
            o.writeString(1, tag);
            o.writeByteArray(8, tensor);
            o.writeByteArray(9, metadata);
        }));
    }

    /** An image: Summary.Image with the encoded PNG, shown by the images dashboard. */
    public static byte[] image(double wallTime, long step, String tag, byte[] png, int width, int height) {
        byte[] image = message(o -> {
            o.writeInt32(1, height);
            o.writeInt32(2, width);
            o.writeInt32(3, 3); // colorspace RGB
            o.writeByteArray(4, png);
        });
        return summary(wallTime, step, message(o -> {
            o.writeString(1, tag);
            o.writeByteArray(4, image);
        }));
    }

    /** An Event holding a Summary with one value. */
    private static byte[] summary(double wallTime, long step, byte[] value) {
        return event(wallTime, step, 5, message(o -> o.writeByteArray(1, value)));
    }

    private static byte[] event(double wallTime, long step, int field, byte[] what) {
        return message(o -> {
            o.writeDouble(1, wallTime);
            if (step != 0) { // proto3: a field at its default value is not written
                o.writeInt64(2, step);
            }
            o.writeByteArray(field, what);
        });
    }

    private interface Fields {
        void write(CodedOutputStream o) throws IOException;
    }

    private static byte[] message(Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream o = CodedOutputStream.newInstance(bytes);
            fields.write(o);
            o.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
    }
}

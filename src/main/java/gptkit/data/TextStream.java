package gptkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A corpus read as UTF-8 a megabyte at a time, so a text of any size prepares in a small heap.
 * Each character (code point) goes to a {@link Sink}; a leading byte-order mark is dropped and
 * Windows line endings ("\r\n") become "\n" (a lone "\r" stays). Bad input gets the messages of
 * {@link TextFiles#decodeUtf8}, with the same precedence: a NUL byte anywhere is reported before
 * an invalid UTF-8 sequence.
 */
final class TextStream {
    private static final int CHUNK = 1 << 20;

    /** Receives the text's characters in order. */
    interface Sink {
        void codePoint(int cp) throws IOException;
    }

    /** What a read saw besides the characters: the sha256 of the raw bytes, how many "\r\n" became "\n". */
    record Stats(String sha256, long crlf) {}

    private final Path file;
    private final Sink sink;
    private boolean first = true; // the next character is the text's first (a BOM there is dropped)
    private boolean cr; // a '\r' is held back until we know whether '\n' follows
    private int high = -1; // a high surrogate waiting for its low half
    private long crlf;

    private TextStream(Path file, Sink sink) {
        this.file = file;
        this.sink = sink;
    }

    /** Reads file through to the end, handing every character to sink. */
    static Stats read(Path file, Sink sink) throws IOException {
        return new TextStream(file, sink).run();
    }

    private Stats run() throws IOException {
        MessageDigest sha = sha256();
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(CHUNK);
        CharBuffer out = CharBuffer.allocate(CHUNK);
        long read = 0; // bytes read so far
        long offset = 0; // file offset of in's position (the next byte to decode)
        long line = 1; // line of that byte
        byte firstByte = 0;
        IOException bad = null; // the first invalid sequence; reported at the end unless a NUL turns up
        try (InputStream s = TextFiles.open(file)) {
            boolean eof = false;
            while (!eof) {
                int start = in.position();
                int n = s.read(in.array(), start, in.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    sha.update(in.array(), start, n);
                    if (read == 0 && n > 0) {
                        firstByte = in.array()[start];
                    }
                    for (int i = start; i < start + n; i++) {
                        if (in.array()[i] == 0) {
                            throw TextFiles.notText(file, read + i - start, firstByte);
                        }
                    }
                    read += n;
                    in.position(start + n);
                }
                in.flip();
                while (bad == null) {
                    int before = in.position();
                    CoderResult r = dec.decode(in, out, eof);
                    line += newlines(in, before, in.position());
                    offset += in.position() - before;
                    drain(out);
                    if (r.isError()) {
                        bad = TextFiles.notUtf8(file, in.get(in.position()), offset, line);
                    } else if (!r.isOverflow()) {
                        break; // underflow: the rest of the chunk waits for more bytes
                    }
                }
                if (bad == null && eof) {
                    dec.flush(out);
                    drain(out);
                }
                if (bad == null) {
                    in.compact();
                } else {
                    in.clear(); // after a bad sequence only NUL bytes are looked for
                }
            }
        }
        if (bad != null) {
            throw bad;
        }
        if (high >= 0) {
            emit(high);
        }
        if (cr) {
            sink.codePoint('\r');
        }
        return new Stats(HexFormat.of().formatHex(sha.digest()), crlf);
    }

    private static int newlines(ByteBuffer in, int from, int to) {
        int n = 0;
        byte[] a = in.array();
        for (int i = from; i < to; i++) {
            if (a[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    private void drain(CharBuffer out) throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            char c = out.get();
            if (high >= 0) {
                int h = high;
                high = -1;
                if (Character.isLowSurrogate(c)) {
                    emit(Character.toCodePoint((char) h, c));
                    continue;
                }
                emit(h); // cannot come out of a strict decoder; kept as String.codePoints() would
            }
            if (Character.isHighSurrogate(c)) {
                high = c;
            } else {
                emit(c);
            }
        }
        out.clear();
    }

    private void emit(int cp) throws IOException {
        if (first) {
            first = false;
            if (cp == 0xFEFF) {
                return;
            }
        }
        if (cr) {
            cr = false;
            if (cp == '\n') {
                crlf++;
                sink.codePoint('\n');
                return;
            }
            sink.codePoint('\r');
        }
        if (cp == '\r') {
            cr = true;
        } else {
            sink.codePoint(cp);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

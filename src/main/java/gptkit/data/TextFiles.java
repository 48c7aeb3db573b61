package gptkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading a corpus or vocabulary as UTF-8 with errors a user can act on: a missing file, a
 * folder, a binary file or text in another encoding (Latin-1, Windows-1252, UTF-16) is named,
 * with the offset of the first bad byte and how to convert it, instead of Java's
 * "Input length = 1".
 */
public final class TextFiles {
    private TextFiles() {}

    /** The bytes of a file that must exist and be a readable regular file. */
    public static byte[] readBytes(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return in.readAllBytes();
        }
    }

    /** A stream over a file that must exist and be a readable regular file; the errors say what to do. */
    public static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a folder, not a text file: give the path of a UTF-8 text file.");
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new IOException("No such file: " + file + ". Check the path (relative paths start at "
                    + Path.of("").toAbsolutePath() + ").", e);
        } catch (AccessDeniedException e) {
            throw new IOException("Cannot read " + file + ": permission denied. Make it readable "
                    + "(chmod a+r) or copy it somewhere you can read.", e);
        }
    }

    /** Reads a file as UTF-8 (a leading byte-order mark is dropped); see {@link #decodeUtf8}. */
    public static String readUtf8(Path file) throws IOException {
        return decodeUtf8(readBytes(file), file);
    }

    /**
     * Decodes UTF-8 strictly. A NUL byte means a binary file; a malformed sequence is reported with
     * its offset, line and byte, and the iconv command that converts the file.
     */
    public static String decodeUtf8(byte[] bytes, Path file) throws IOException {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw notText(file, i, bytes[0]);
            }
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) {
            r = dec.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw notUtf8(file, bytes[at], at, line);
        }
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    /** A NUL byte at offset i: a binary file, or UTF-16 text (first is the file's first byte). */
    static IOException notText(Path file, long i, byte first) {
        String utf16 = i == 1 && (first & 0xFF) >= 0xFE // 0xFF 0xFE or 0xFE 0xFF, then a NUL
                ? " It starts with a UTF-16 byte-order mark: convert it, e.g. `iconv -f UTF-16 -t UTF-8 "
                + file + " > " + converted(file) + "`, and use " + converted(file) + "."
                : " Give a plain-text file (UTF-8), not a binary (zip, PDF, Word, .bin) file.";
        return new IOException(String.format("%s is not a text file: it holds a NUL byte at offset %,d "
                + "(a binary file, or UTF-16 text).%s", file, i, utf16));
    }

    /** The byte b at offset at (on line line) starts no valid UTF-8 sequence. */
    static IOException notUtf8(Path file, byte b, long at, long line) {
        return new IOException(String.format("%s is not UTF-8 text: byte 0x%02X at offset %,d (line %d) is "
                + "not valid UTF-8; the file is probably Latin-1 or Windows-1252. Convert it to UTF-8, e.g. "
                + "`iconv -f LATIN1 -t UTF-8 %s > %s`, and use %s.", file, b & 0xFF, at, line, file,
                converted(file), converted(file)));
    }

    private static String converted(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return file.resolveSibling(base + "-utf8.txt").toString();
    }
}

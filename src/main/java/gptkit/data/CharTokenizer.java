package gptkit.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * nanoGPT's character tokenizer: the vocabulary is the sorted set of distinct characters
 * (Unicode code points), stoi/itos map between a character and its index.
 */
public final class CharTokenizer {
    /** Token files hold uint16, so at most 65,536 ids; we keep 65,535 as the limit. */
    public static final int MAX_VOCAB = 65_535;

    private final int[] itos;
    private final Map<Integer, Integer> stoi = new HashMap<>();

    private CharTokenizer(int[] codePoints) {
        if (codePoints.length == 0) {
            throw new IllegalArgumentException("The text is empty: a vocabulary needs at least one character.");
        }
        if (codePoints.length > MAX_VOCAB) {
            throw new IllegalArgumentException(String.format(
                    "The text has %,d distinct characters, over the %,d that uint16 token files can hold. "
                            + "Use a smaller corpus or a subword tokenizer.",
                    codePoints.length, MAX_VOCAB));
        }
        this.itos = codePoints;
        for (int i = 0; i < codePoints.length; i++) {
            stoi.put(codePoints[i], i);
        }
    }

    /** The vocabulary of a text: its distinct characters, sorted. */
    public static CharTokenizer fromText(String text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        return new CharTokenizer(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A vocabulary given as the string of its characters in order (as saved in vocab.txt). */
    public static CharTokenizer fromChars(String chars) {
        int[] cps = chars.codePoints().toArray();
        for (int i = 1; i < cps.length; i++) {
            if (cps[i] <= cps[i - 1]) {
                throw new IllegalArgumentException("A vocabulary must list distinct characters in sorted order.");
            }
        }
        return new CharTokenizer(cps);
    }

    public int vocabSize() {
        return itos.length;
    }

    /** The vocabulary as one string, every character once, in id order. */
    public String chars() {
        return new String(itos, 0, itos.length);
    }

    public int[] encode(String s) {
        return s.codePoints().map(cp -> {
            Integer id = stoi.get(cp);
            if (id == null) {
                throw new IllegalArgumentException(String.format(
                        "Character '%s' (U+%04X) is not in the vocabulary of %d characters this model was trained on.",
                        new String(Character.toChars(cp)), cp, itos.length));
            }
            return id;
        }).toArray();
    }

    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.appendCodePoint(itos[id]);
        }
        return sb.toString();
    }

    /** Saves the vocabulary beside the token files (UTF-8, the characters in id order). */
    public void save(Path file) throws IOException {
        Files.writeString(file, chars(), StandardCharsets.UTF_8);
    }

    public static CharTokenizer load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("No vocabulary at " + file + ": run `prepare` for this dataset first.");
        }
        try {
            return fromChars(TextFiles.readUtf8(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a gptkit vocabulary: " + e.getMessage()
                    + " Run `./gptkit prepare " + file.toAbsolutePath().getParent().getFileName() + "` again.", e);
        }
    }
}

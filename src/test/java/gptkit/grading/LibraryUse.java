package gptkit.grading;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds uses of the library in a student's file: gptkit.data.GetBatch.offsets or
 * gptkit.train.GetLr.getLr would pass the checks without a line of the student's own. Comments
 * may name the library (the statements do); code may use gptkit.grading only.
 */
public final class LibraryUse {
    private LibraryUse() {}

    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern LIBRARY = Pattern.compile("\\bgptkit\\s*\\.\\s*(?!grading\\b)[\\w.]*\\w");

    /** The first library name the code uses, or null. */
    public static String find(String source) {
        Matcher m = LIBRARY.matcher(COMMENTS.matcher(source).replaceAll(" "));
        return m.find() ? m.group().replaceAll("\\s", "") : null;
    }

    /** Why the file may not be graded, or null when it is its own work (or cannot be read). */
    static String problem(Path file) {
        try {
            String use = Files.isRegularFile(file) ? find(Files.readString(file)) : null;
            return use == null ? null : "it uses " + use + ": write it yourself; the library's "
                    + "version is the reference, not the answer";
        } catch (IOException e) {
            return null;
        }
    }
}

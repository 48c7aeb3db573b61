package gptkit.notebook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kit's own source code, for the notebooks: {@code Source.method(GetBatch.class, "getBatch")}
 * returns that method as it is written in src/main/java (with its Javadoc), so a lesson shows
 * the code that really runs instead of a copy that could drift from it.
 */
public final class Source {
    private Source() {}

    /** The folder src/main/java, found from the working directory (notebooks/ or the repo root). */
    public static Path root() {
        String prop = System.getProperty("gptkit.src");
        if (prop != null) {
            return Path.of(prop);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; dir != null && up < 4; up++, dir = dir.getParent()) {
            Path candidate = dir.resolve("src/main/java");
            if (Files.isDirectory(candidate.resolve("gptkit"))) {
                return candidate;
            }
        }
        return null;
    }

    /** The whole source file of a class. */
    public static String of(Class<?> type) {
        Path file = file(type);
        if (file == null) {
            return notFound(type);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return notFound(type);
        }
    }

    /**
     * The first method (or constructor) of that name in the class's file whose text contains
     * every one of {@code mustContain} (to pick one of several overloads), with the comment
     * above it, up to its closing brace.
     */
    public static String method(Class<?> type, String name, String... mustContain) {
        String text = of(type);
        Matcher m = Pattern.compile("(?m)^[ \\t]*(public|protected|private|static|final|synchronized|<)"
                + "[^;=\\n{]*\\b" + Pattern.quote(name) + "\\s*\\(").matcher(text);
        while (m.find()) {
            String found = extract(text, m.start(), m.end());
            boolean ok = true;
            for (String part : mustContain) {
                ok &= found.contains(part);
            }
            if (ok) {
                return found;
            }
        }
        return "// no method " + name + " in " + type.getName();
    }

    private static String extract(String text, int start, int afterName) {
        // take the Javadoc or comment lines directly above
        int lineStart = start;
        while (lineStart > 0) {
            int prevEnd = lineStart - 1;
            int prevStart = text.lastIndexOf('\n', prevEnd - 1) + 1;
            String prev = text.substring(prevStart, prevEnd).trim();
            if (prev.startsWith("/**") || prev.startsWith("*") || prev.startsWith("//") || prev.startsWith("@")) {
                lineStart = prevStart;
            } else {
                break;
            }
        }
        int open = text.indexOf('{', afterName);
        if (open < 0) {
            return dedent(text.substring(lineStart, afterName));
        }
        int depth = 0;
        int i = open;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                break;
            }
        }
        return dedent(text.substring(lineStart, Math.min(i + 1, text.length())));
    }

    /** Prints a method's source (what a notebook cell calls); see {@link #method}. */
    public static void show(Class<?> type, String name, String... mustContain) {
        System.out.println("// " + type.getSimpleName() + ".java");
        System.out.println(method(type, name, mustContain));
    }

    private static Path file(Class<?> type) {
        Path root = root();
        if (root == null) {
            return null;
        }
        Class<?> top = type;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        Path f = root.resolve(top.getName().replace('.', '/') + ".java");
        return Files.exists(f) ? f : null;
    }

    private static String notFound(Class<?> type) {
        return "// the source of " + type.getName() + " is in src/main/java/"
                + type.getName().replace('.', '/') + ".java (not found from " + Path.of("").toAbsolutePath() + ")";
    }

    private static String dedent(String s) {
        String[] lines = s.split("\n", -1);
        int min = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                int n = 0;
                while (n < l.length() && l.charAt(n) == ' ') {
                    n++;
                }
                min = Math.min(min, n);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < lines.length; k++) {
            String l = lines[k];
            sb.append(l.length() >= min ? l.substring(min) : l.strip());
            if (k < lines.length - 1) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}

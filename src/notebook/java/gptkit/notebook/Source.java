package gptkit.notebook;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.CallableDeclaration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /**
     * The kit's root folder (where exercises/ and src/ are), found as {@link #root()} is: the
     * same from notebooks/ and from notebooks/zh/. Null when the sources are not found.
     */
    public static Path kit() {
        Path src = root();
        if (src == null) {
            return null;
        }
        try { // the real path: notebooks/src is a link to ../src, for the zh notebooks' relative paths
            return src.toRealPath().getParent().getParent().getParent();
        } catch (IOException e) {
            return src.toAbsolutePath().normalize().getParent().getParent().getParent();
        }
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
     * every one of {@code mustContain} (to pick one of several overloads), with its Javadoc,
     * exactly as written. The file is parsed by JavaParser, so modifiers, annotations, braces
     * in strings and nested classes are read as the compiler reads them.
     */
    public static String method(Class<?> type, String name, String... mustContain) {
        String text = of(type);
        CompilationUnit unit;
        try {
            unit = new JavaParser(new ParserConfiguration().setLanguageLevel(LanguageLevel.JAVA_17))
                    .parse(text).getResult().orElse(null);
        } catch (RuntimeException e) {
            unit = null;
        }
        if (unit == null) {
            return "// could not parse the source of " + type.getName();
        }
        String[] lines = text.split("\n", -1);
        for (CallableDeclaration<?> c : unit.findAll(CallableDeclaration.class)) {
            if (!c.getNameAsString().equals(name) || c.getRange().isEmpty()) {
                continue;
            }
            int first = c.getComment().flatMap(Node::getRange).map(r -> r.begin.line)
                    .orElse(c.getRange().get().begin.line);
            int last = c.getRange().get().end.line;
            String found = dedent(String.join("\n", java.util.Arrays.copyOfRange(lines, first - 1, last)));
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

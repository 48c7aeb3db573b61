package gptkit.exercises;

import gptkit.files.SafeFiles;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compiles one exercise file on its own, into a folder of its own, so a file that does not
 * compile costs only its exercise: the grader and `--parts=exercises` report it as "does not
 * compile: exercises/GetLr.java:12: ..." and go on with the others. An unchanged file is not
 * compiled again (its folder keeps the source's hash).
 */
public final class ExerciseCompiler {
    private ExerciseCompiler() {}

    /** The classes of one file (a loader over its folder), or why there are none. */
    public record Compiled(Path classes, ClassLoader loader, String error) {
        public boolean ok() {
            return error == null;
        }

        /** The class, loaded from this file's folder. */
        public Class<?> load(String name) throws ClassNotFoundException {
            return Class.forName(name, false, loader);
        }

        /** True while the file still throws NotImplementedYet somewhere: the exercise is not done. */
        public boolean notAttempted() {
            byte[] marker = "gptkit/exercises/NotImplementedYet".getBytes(StandardCharsets.US_ASCII);
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    if (contains(Files.readAllBytes(f), marker)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Compiles source (shown as `shown` in messages) into out, against this JVM's class path,
     * with parent as the loader of everything the file uses.
     */
    public static Compiled compile(Path source, String shown, Path out, ClassLoader parent) {
        if (!Files.isRegularFile(source)) {
            return new Compiled(out, null, shown + " is missing: copy it back from the kit");
        }
        // one compiler at a time per folder: the ranks of a DDP run all start by compiling the same files
        synchronized (ExerciseCompiler.class) {
            try {
                Files.createDirectories(out.toAbsolutePath().getParent());
                try (FileChannel lockFile = FileChannel.open(out.toAbsolutePath().getParent().resolve(".compiling"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
                    return compileLocked(source, shown, out, parent);
                }
            } catch (IOException e) {
                return new Compiled(out, null, "cannot compile " + shown + ": " + e);
            }
        }
    }

    private static Compiled compileLocked(Path source, String shown, Path out, ClassLoader parent) {
        try {
            String classPath = classPath(parent);
            String stamp = hash(Files.readAllBytes(source)) + " " + classPath.hashCode();
            Path stampFile = out.resolve(".source-hash");
            if (!(Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp))) {
                String error = javac(source, shown, out, classPath);
                if (error != null) {
                    return new Compiled(out, null, error);
                }
                Files.writeString(stampFile, stamp);
            }
            return new Compiled(out, new OwnClassesFirst(out, parent), null);
        } catch (IOException e) {
            return new Compiled(out, null, "cannot compile " + shown + ": " + e);
        }
    }

    /**
     * Loads the file's own classes from its folder before asking the parent: an editor that
     * compiles exercises/ into target/test-classes (IntelliJ does) must not hand the grader a
     * stale copy of the student's class.
     */
    private static final class OwnClassesFirst extends URLClassLoader {
        private final Path dir;

        OwnClassesFirst(Path dir, ClassLoader parent) throws IOException {
            super(new URL[] {dir.toUri().toURL()}, parent);
            this.dir = dir;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && Files.isRegularFile(dir.resolve(name.replace('.', '/') + ".class"))) {
                    c = findClass(name);
                }
                if (c == null) {
                    return super.loadClass(name, resolve);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    private static String javac(Path source, String shown, Path out, String classPath) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            return "cannot compile " + shown + ": this Java is a runtime without javac; run with a JDK 17+";
        }
        SafeFiles.deleteTree(out);
        Files.createDirectories(out);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", out.toString(), "-classpath", classPath, "-encoding", "UTF-8",
                    "-proc:none", "-g", "-nowarn", "-Xlint:none", "-implicit:none");
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(source.toFile())).call();
            if (ok) {
                return null;
            }
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR && errors.size() < 3) {
                errors.add(shown + ":" + d.getLineNumber() + ": " + d.getMessage(null).lines().findFirst().orElse(""));
            }
        }
        SafeFiles.deleteTree(out); // no half-compiled classes left to load
        return "does not compile: " + (errors.isEmpty() ? shown : String.join("; ", errors))
                + Moved.hints(Files.readString(source, StandardCharsets.UTF_8));
    }

    /**
     * The class path javac needs to compile an exercise against the kit: java.class.path is it only when the
     * kit was started with it (./gptkit, JJava, Maven). A kernel may load the kit in a class loader of its own
     * (IJava 1.3 adds %classpath and %jars to JShell's loader, and its java.class.path holds only the kernel's
     * jar), so the jars and folders of the loaders that load the exercise's classes count too, and the kit's
     * own code source with the target/lib/ jars beside it (the notebooks' kit: target/classes and target/lib).
     * Under Maven's surefire java.class.path is one jar whose manifest lists the rest, which surefire also
     * hands over as surefire.test.class.path.
     */
    static String classPath(ClassLoader parent) {
        Set<String> entries = new LinkedHashSet<>();
        for (String p : new String[] {System.getProperty("surefire.test.class.path"),
            System.getProperty("java.class.path")}) {
            if (p != null && !p.isBlank()) {
                entries.addAll(List.of(p.split(File.pathSeparator)));
            }
        }
        for (ClassLoader l = parent; l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    Path f = file(url);
                    if (f != null) {
                        entries.add(f.toString());
                    }
                }
            }
        }
        for (Class<?> c : new Class<?>[] {ExerciseCompiler.class, ai.djl.ndarray.NDArray.class}) {
            Path where = c.getProtectionDomain().getCodeSource() == null ? null
                    : file(c.getProtectionDomain().getCodeSource().getLocation());
            if (where != null) {
                entries.add(where.toString());
                if (c == ExerciseCompiler.class) { // target/classes or target/gptkit.jar: its jars are in target/lib
                    entries.addAll(jars(where.toAbsolutePath().getParent().resolve("lib")));
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** A file: URL as a path, or null for any other kind (jrt:, http:, a JShell snippet). */
    private static Path file(URL url) {
        try {
            return url != null && url.getProtocol().equals("file") ? Path.of(url.toURI()) : null;
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static List<String> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).map(Path::toString).sorted().toList();
        } catch (IOException e) {
            return List.of(); // the other entries may still be enough; javac names what is missing
        }
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean contains(byte[] data, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= data.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (data[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}

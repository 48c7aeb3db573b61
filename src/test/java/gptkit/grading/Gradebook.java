package gptkit.grading;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import gptkit.train.Part;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The instructor's gradebook: `./gptkit grade DIR...` (each DIR a student's exercises/ folder or a
 * zip of it). Each submission is copied into a fresh folder of its own and graded there by a JVM
 * of its own ({@link GradeOne}), with a time limit, a heap limit and a class path without
 * solutions/, so a submission that loops, allocates without end, calls System.exit or does not
 * compile costs that student only. Writes grades.csv (student, points per exercise, total, seed)
 * and each student's report card (STUDENT.txt, STUDENT.json) into --out.
 */
public final class Gradebook {
    private Gradebook() {}

    /** What one zip may unpack to: a class's exercise files are a few hundred KB. */
    static final long MAX_UNZIPPED = 20L << 20;

    public static void main(String[] args) throws Exception {
        Path out = Path.of("grades");
        int seconds = 900;
        String heap = "2g";
        Long seed = null;
        String exercises = "";
        List<Path> dirs = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--out=")) {
                out = Path.of(a.substring(6));
            } else if (a.startsWith("--time=")) {
                seconds = positive(a, a.substring(7));
            } else if (a.startsWith("--memory=")) {
                heap = a.substring(9);
                if (!heap.matches("[0-9]+[mMgG]")) {
                    usage("--memory=" + heap + " is not a heap size: use e.g. --memory=2g or --memory=1500m");
                }
            } else if (a.startsWith("--exercise=")) {
                exercises = a.substring(11);
                for (String id : exercises.split(",")) {
                    if (!Catalog.ids().contains(id)) {
                        usage("--exercise=" + id + " is not an exercise; the ids are: " + String.join(", ", Catalog.ids()));
                    }
                }
            } else if (a.startsWith("--seed=")) {
                seed = (long) positive(a, a.substring(7));
            } else if (a.startsWith("-")) {
                usage("unknown option " + a + ": the options are --out=DIR, --time=SECONDS, --memory=SIZE, --seed=N, "
                        + "--exercise=ID[,ID...]");
            } else {
                Path d = Path.of(a);
                if (!Files.isDirectory(d) && !(Files.isRegularFile(d) && a.endsWith(".zip"))) {
                    usage(a + " is neither a folder nor a .zip: give each student's exercises/ folder or a zip of it");
                }
                dirs.add(d);
            }
        }
        if (dirs.isEmpty()) {
            usage("no submissions: ./gptkit grade DIR... (each a student's exercises/ folder or a zip of it)");
        }
        Map<String, Path> students = new LinkedHashMap<>();
        for (Path d : dirs) {
            String name = studentName(d);
            if (students.putIfAbsent(name, d) != null) {
                usage("two submissions are named " + name + " (" + students.get(name) + " and " + d
                        + "): give each student's folder a name of its own");
            }
        }
        long runSeed = seed != null ? seed : System.nanoTime() % 1_000_000;
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("gptkit-grade");
        try {
            Path classes = classesWithoutSolutions(work.resolve("test-classes"));
            List<String> rows = new ArrayList<>();
            rows.add("student," + String.join(",", Catalog.ids()) + ",total,max,seed,note");
            for (Map.Entry<String, Path> s : students.entrySet()) {
                long t0 = System.nanoTime();
                String row = gradeOne(s.getKey(), s.getValue(), work.resolve("s-" + rows.size()), classes, out,
                        seconds, heap, runSeed, exercises);
                rows.add(row);
                System.out.printf("%-20s %s  (%.0f s)%n", s.getKey(), row.substring(row.indexOf(',') + 1),
                        (System.nanoTime() - t0) / 1e9);
                Files.write(out.resolve("grades.csv"), rows, StandardCharsets.UTF_8); // a partial book survives a crash
            }
            System.out.println("grades: " + out.resolve("grades.csv") + ", report cards: " + out + "/STUDENT.txt");
        } finally {
            deleteTree(work);
        }
    }

    private static int positive(String arg, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        usage(arg + ": " + v + " is not a positive whole number");
        return 0;
    }

    private static void usage(String message) {
        System.err.println("error: " + message);
        System.exit(2);
    }

    /** alice/exercises -> alice, alice.zip -> alice, bob-ex/ -> bob-ex; only letters, digits, . _ - kept. */
    static String studentName(Path d) {
        Path abs = d.toAbsolutePath().normalize();
        String n = abs.getFileName().toString();
        if (n.endsWith(".zip")) {
            n = n.substring(0, n.length() - 4);
        }
        if (n.equals("exercises") && abs.getParent() != null && abs.getParent().getFileName() != null) {
            n = abs.getParent().getFileName().toString();
        }
        return n.replaceAll("[^\\p{L}\\p{N}._-]", "_");
    }

    /** Grades one student in a child JVM; the CSV row (0 points where the child gave no grades). */
    private static String gradeOne(String student, Path submission, Path kit, Path classes, Path out, int seconds,
                                   String heap, long seed, String only) throws IOException, InterruptedException {
        Path exercises = kit.resolve("exercises");
        Files.createDirectories(exercises);
        Files.createDirectories(kit.resolve("tmp"));
        String note = "";
        try {
            copySubmission(submission, exercises);
        } catch (IOException | RuntimeException e) {
            note = "cannot read the submission: " + e.getMessage();
        }
        Path log = out.resolve(student + ".log");
        Process p = null;
        boolean timedOut = false;
        if (note.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true",
                    "-Djava.security.manager=allow", // Java 18-23 let GradeOne's sandbox in only when asked
                    "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/java.lang.ref=ALL-UNNAMED",
                    "-Djava.io.tmpdir=" + kit.resolve("tmp"), "-Dbasedir=" + kit, "-Dgrade=exercises",
                    "-Dgrading.seed=" + seed, "-Duser.dir=" + kit, "-Dexercise=" + only,
                    "-cp", classes + File.pathSeparator + childClassPath(), GradeOne.class.getName()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(kit.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("OMP_NUM_THREADS", "1");
            pb.environment().put("GOMP_SPINCOUNT", "1000");
            p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                timedOut = true;
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
        }
        Path json = kit.resolve("target").resolve("grades.json");
        Path card = kit.resolve("target").resolve("grades.txt");
        StringBuilder row = new StringBuilder(csv(student));
        int total = 0;
        List<String> ids = only.isEmpty() ? Catalog.ids() : List.of(only.split(","));
        int max = Catalog.ALL.stream().filter(e -> ids.contains(e.id())).mapToInt(Exercise::maxPoints).sum();
        if (Files.isRegularFile(json) && Files.isRegularFile(card)) {
            JsonObject exs = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
            Map<String, Integer> points = new LinkedHashMap<>();
            exs.getAsJsonObject("exercises").getAsJsonArray("exercises").forEach(e ->
                    points.put(e.getAsJsonObject().get("id").getAsString(), e.getAsJsonObject().get("points").getAsInt()));
            for (String id : Catalog.ids()) {
                Integer pts = points.get(id); // blank: not graded (--exercise)
                row.append(',').append(pts == null ? "" : pts);
                total += pts == null ? 0 : pts;
            }
            max = exs.getAsJsonObject("exercises").get("max").getAsInt();
            Files.copy(card, out.resolve(student + ".txt"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(json, out.resolve(student + ".json"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Catalog.ids().forEach(id -> row.append(ids.contains(id) ? ",0" : ","));
            if (note.isEmpty()) {
                note = timedOut ? "no grades: not done within " + seconds + " s (--time=)"
                        : "no grades: the grading JVM ended with exit code " + p.exitValue() + ", see " + log;
            }
            Files.writeString(out.resolve(student + ".txt"), "error: " + note + "\n");
        }
        return row.append(',').append(total).append(',').append(max).append(',').append(seed).append(',')
                .append(csv(note)).toString();
    }

    private static String csv(String s) {
        return s.matches("[^,\"\\n]*") ? s : "\"" + s.replace("\"", "\"\"").replace('\n', ' ') + "\"";
    }

    /** The exercise files only (X.java of the catalog and zh/), from a folder or a zip. */
    static void copySubmission(Path from, Path to) throws IOException {
        copyFiles(from, to);
        try (Stream<Path> copied = Files.list(to)) {
            if (copied.findAny().isEmpty()) {
                throw new IOException("no exercise file (GetLr.java, AdamW.java, ...) in " + from
                        + " nor in its exercises/ folder");
            }
        }
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            if (Files.isDirectory(from.resolve("exercises")) && !Files.exists(from.resolve("GetLr.java"))) {
                from = from.resolve("exercises"); // a student's kit folder rather than its exercises/
            }
            for (Part p : Part.values()) {
                Path f = from.resolve(p.file + ".java");
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // no link out of the folder
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
            return;
        }
        long total = 0;
        try (InputStream in = Files.newInputStream(from); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = Path.of(e.getName()).getFileName() == null ? "" : Path.of(e.getName()).getFileName().toString();
                boolean wanted = !e.isDirectory() && Stream.of(Part.values()).anyMatch(p -> name.equals(p.file + ".java"))
                        && !e.getName().contains("zh/") && !e.getName().contains("__MACOSX");
                if (!wanted) {
                    continue;
                }
                byte[] b = zip.readNBytes((int) (MAX_UNZIPPED - total + 1));
                total += b.length;
                if (total > MAX_UNZIPPED) {
                    throw new IOException(from + " unpacks to more than " + (MAX_UNZIPPED >> 20) + " MB");
                }
                Files.write(to.resolve(name), b); // the name alone: no path of the zip's is followed
            }
        }
    }

    /** The test classes without gptkit/solutions: a student's code cannot load the reference answers. */
    private static Path classesWithoutSolutions(Path to) throws IOException {
        Path from = null;
        for (String e : classPath()) {
            if (Files.isDirectory(Path.of(e, "gptkit", "grading"))) {
                from = Path.of(e);
            }
        }
        if (from == null) {
            throw new IllegalStateException("the grader's classes (gptkit/grading) are not on the class path");
        }
        Path src = from;
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (src.relativize(dir).toString().replace('\\', '/').equals("gptkit/solutions")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(src.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(src.relativize(file).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
        return to;
    }

    /** This JVM's class path less the folder of the test classes (replaced by the copy without solutions). */
    private static String childClassPath() {
        List<String> keep = new ArrayList<>();
        for (String e : classPath()) {
            if (!Files.isDirectory(Path.of(e, "gptkit", "solutions"))) {
                keep.add(e);
            }
        }
        return String.join(File.pathSeparator, keep);
    }

    /** The class path's entries; under surefire java.class.path is one jar that names them, surefire.test.class.path lists them. */
    private static List<String> classPath() {
        String p = System.getProperty("surefire.test.class.path");
        return List.of((p != null && !p.isBlank() ? p : System.getProperty("java.class.path")).split(File.pathSeparator));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package gptkit.grading;

import java.io.FilePermission;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;

/**
 * One student's grading, in a JVM of its own started by {@link Gradebook}: every exercise of the
 * folder -Dbasedir (a fresh copy of the student's exercises/), with the grader's checks, time
 * limits and known mistakes, written to target/grades.json and target/grades.txt there. While a
 * student's class is on the stack, a security manager refuses System.exit, other processes, the
 * network, and files outside this copy, the JDK and the class path: reading another student's
 * folder, the solutions or /etc/passwd fails that check, and an exit cannot end the grading.
 */
public final class GradeOne {
    private GradeOne() {}

    public static void main(String[] args) throws IOException {
        Path kit = Path.of(System.getProperty("basedir")).toAbsolutePath().normalize();
        Sandbox sandbox = new Sandbox(kit);
        sandbox.checkPermission(new FilePermission(kit.resolve("x").toString(), "read")); // its classes loaded first
        sandbox.studentOnStack();
        try {
            System.setSecurityManager(sandbox);
        } catch (UnsupportedOperationException e) {
            System.err.println("error: grading a class needs a Java 17 to 23 (its sandbox is a security manager, "
                    + "which Java " + Runtime.version().feature() + " no longer has): run ./gptkit grade with JDK 17-23");
            System.exit(2);
        }
        for (Exercise<?> ex : Catalog.ALL) {
            if (Selection.selected(ex.id())) {
                grade(ex, kit);
            }
        }
        Path target = kit.resolve("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("grades.txt"), ReportCard.text() + "\n", StandardCharsets.UTF_8);
        ReportCard.finish();
        System.out.flush();
        Runtime.getRuntime().halt(0); // a stuck check's thread (Java 20+ cannot stop it) must not keep the JVM up
    }

    private static <I> void grade(Exercise<I> ex, Path kit) {
        Grader.Session<I> s = new Grader.Session<>(ex, Target.EXERCISES.className(ex), Grader.timeout());
        s.compileFrom = kit.resolve(ex.path(Target.EXERCISES));
        s.knowMistakes = true;
        for (Check<I> c : ex.checks()) {
            ReportCard.record(Target.EXERCISES, ex, c, s.run(c));
        }
    }

    /** Refuses what a student's code has no business doing; the grader's own code is not limited. */
    static final class Sandbox extends SecurityManager {
        private final List<String> readable = new ArrayList<>();
        private final String writable;

        Sandbox(Path kit) {
            writable = kit + "/";
            readable.add(writable);
            readable.add(Path.of(System.getProperty("java.home")).toAbsolutePath().normalize() + "/");
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                readable.add(Path.of(e).toAbsolutePath().normalize().toString());
            }
        }

        /** A class the grader compiled from the student's file (its loader is ExerciseCompiler's). */
        private boolean studentOnStack() {
            for (Class<?> c : getClassContext()) {
                ClassLoader l = c.getClassLoader();
                if (l != null && l.getClass().getName().startsWith("gptkit.exercises.ExerciseCompiler")) {
                    return true;
                }
            }
            return false;
        }

        private static String canonical(String file) {
            return Path.of(file).toAbsolutePath().normalize().toString();
        }

        @Override
        public void checkPermission(Permission p) {
            if (p instanceof FilePermission f) {
                String path = canonical(f.getName());
                boolean write = !f.getActions().equals("read") && !f.getActions().equals("readlink");
                boolean ok = (path + "/").startsWith(writable);
                for (int i = 0; !write && !ok && i < readable.size(); i++) { // no lambda here: its bootstrap would check permissions
                    ok = (path + "/").startsWith(readable.get(i)) || path.equals(readable.get(i));
                }
                if (!ok && studentOnStack()) {
                    throw new SecurityException("the grader does not let an exercise " + f.getActions() + " " + path);
                }
            } else if (p instanceof RuntimePermission r && (r.getName().startsWith("exitVM")
                    || r.getName().equals("setSecurityManager")) && studentOnStack()) {
                throw new SecurityException("the grader does not let an exercise " + r.getName());
            } else if (p instanceof java.net.SocketPermission && studentOnStack()) {
                throw new SecurityException("the grader does not let an exercise use the network: " + p.getName());
            }
        }

        @Override
        public void checkExec(String cmd) {
            if (studentOnStack()) {
                throw new SecurityException("the grader does not let an exercise start " + cmd);
            }
        }

        @Override
        public void checkPermission(Permission p, Object context) {
            checkPermission(p);
        }
    }
}

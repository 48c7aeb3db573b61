package gptkit.exercises;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exercises compile on a kernel that loads the kit in a class loader of its own, as IJava 1.3 does. */
class ExerciseCompilerTest {

    /**
     * A JVM whose java.class.path holds only this class (as IJava's holds only the kernel's jar), the kit
     * loaded by a URLClassLoader (as IJava's %classpath and %jars do), then a student's file compiled that
     * uses the kit and DJL. Before the fix: "does not compile: package ai.djl.ndarray does not exist".
     */
    @Test
    void anExerciseCompilesWhenTheKitIsNotOnJavaClassPath(@TempDir Path dir) throws Exception {
        String file = Kernel.class.getName().substring("gptkit.exercises.".length()) + ".class"; // Outer$Kernel
        Path launcher = dir.resolve("kernel/gptkit/exercises/" + file);
        Files.createDirectories(launcher.getParent());
        try (var in = Kernel.class.getResourceAsStream(file)) {
            Files.write(launcher, in.readAllBytes());
        }
        Path src = dir.resolve("exercises/Probe.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "import ai.djl.ndarray.NDArray;\nimport gptkit.config.TrainConfig;\n"
                + "public final class Probe {\n  public static String run() {\n"
                + "    return NDArray.class.getSimpleName() + \" \" + TrainConfig.class.getSimpleName();\n  }\n}\n");
        List<String> kit = new ArrayList<>(); // this JVM's class path but the tests: the kit and its jars
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.endsWith("test-classes")) {
                kit.add(e);
            }
        }
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-cp", dir.resolve("kernel").toString(), Kernel.class.getName(), String.join(File.pathSeparator, kit),
                src.toString(), dir.resolve("out").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not end");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("java.class.path=" + dir.resolve("kernel")), out);
        assertFalse(out.contains("target" + File.separator + "classes" + File.pathSeparator), out);
        assertTrue(out.endsWith("Probe.run(): NDArray TrainConfig\n"), out);
    }

    /** The child: a kernel that loads the kit by itself and compiles one exercise with it. */
    public static final class Kernel {
        public static void main(String[] a) throws Exception {
            System.out.println("java.class.path=" + System.getProperty("java.class.path"));
            List<URL> urls = new ArrayList<>();
            for (String e : a[0].split(File.pathSeparator)) {
                urls.add(Path.of(e).toUri().toURL());
            }
            try (URLClassLoader kit = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
                Class<?> compiler = kit.loadClass("gptkit.exercises.ExerciseCompiler");
                Method compile = compiler.getMethod("compile", Path.class, String.class, Path.class, ClassLoader.class);
                Object k = compile.invoke(null, Path.of(a[1]), "exercises/Probe.java", Path.of(a[2]), kit);
                Object error = k.getClass().getMethod("error").invoke(k);
                if (error != null) {
                    System.out.println(error);
                    System.exit(1);
                }
                Class<?> probe = (Class<?>) k.getClass().getMethod("load", String.class).invoke(k, "Probe");
                System.out.println("Probe.run(): " + probe.getMethod("run").invoke(null));
            }
        }
    }
}

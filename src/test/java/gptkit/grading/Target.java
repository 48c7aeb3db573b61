package gptkit.grading;

import java.nio.file.Files;
import java.nio.file.Path;

/** What is graded: the reference answers or the students' files. */
public enum Target {
    SOLUTIONS("solutions", "gptkit.solutions."),
    EXERCISES("exercises", "");

    public final String label;
    private final String packagePrefix;

    Target(String label, String packagePrefix) {
        this.label = label;
        this.packagePrefix = packagePrefix;
    }

    public String className(Exercise<?> ex) {
        return packagePrefix + ex.file();
    }

    /** A class copy without solutions/ (what students get) grades exercises only. */
    public boolean present() {
        return Files.isDirectory(Path.of(System.getProperty("basedir", "."), label));
    }
}

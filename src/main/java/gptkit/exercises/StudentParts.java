package gptkit.exercises;

import gptkit.train.Part;
import gptkit.train.Parts;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer with a student's parts: each exercise a student has solved replaces the library's
 * part; unsolved ones (still throwing NotImplementedYet, not compiling, or with another
 * signature) leave the library's in place. `./gptkit train ... --parts=exercises` and notebook 09
 * train with it; the grader's capstone check plugs the graded classes in the same way.
 */
public final class StudentParts {
    private StudentParts() {}

    /** The parts, and one line per exercise saying whose part the run uses, and why. */
    public record Plugged(Parts parts, List<String> report, Map<Part, Class<?>> students) {}

    /** Compiles each exercises/FILE.java under kitRoot on its own, and plugs in the solved ones. */
    public static Plugged fromExercises(Path kitRoot) {
        Path dir = kitRoot.resolve("exercises");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--parts=exercises: there is no exercises/ folder in "
                    + kitRoot.toAbsolutePath().normalize() + ": run gptkit from the kit's root folder");
        }
        Map<Part, Class<?>> classes = new EnumMap<>(Part.class);
        List<String> report = new ArrayList<>();
        for (Part p : Part.values()) {
            ExerciseCompiler.Compiled k = ExerciseCompiler.compile(dir.resolve(p.file + ".java"), p.exercisePath(),
                    kitRoot.resolve("target").resolve("exercise-classes").resolve(p.id), StudentParts.class.getClassLoader());
            String why = null;
            if (!k.ok()) {
                why = k.error();
            } else if (k.notAttempted()) {
                why = "not attempted yet";
            } else {
                try {
                    Class<?> c = k.load(p.file);
                    why = mismatch(p, c);
                    if (why == null) {
                        classes.put(p, c);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    why = p.exercisePath() + " has no class " + p.file;
                }
            }
            report.add(String.format("  %-21s %s", p.id, why == null ? "yours    " + p.exercisePath()
                    : "library  (" + why + ")"));
        }
        return new Plugged(plug(Parts.library(), classes), report, classes);
    }

    /** Why c cannot be exercise p's part (another interface or constructor), or null. */
    public static String mismatch(Part p, Class<?> c) {
        if (!p.role.isAssignableFrom(c)) {
            return p.file + " does not implement " + p.role.getName();
        }
        Class<?>[] params = p.params.toArray(new Class<?>[0]);
        try {
            if (!Modifier.isPublic(c.getDeclaredConstructor(params).getModifiers())) {
                throw new NoSuchMethodException();
            }
            return null;
        } catch (NoSuchMethodException e) {
            return p.file + " has no public constructor " + p.file + "(" + String.join(", ",
                    p.params.stream().map(Class::getSimpleName).toList()) + ")";
        }
    }

    /** The given parts with each class in its exercise's place, plugged as {@link Part#plug} says. */
    public static Parts plug(Parts parts, Map<Part, Class<?>> classes) {
        for (Map.Entry<Part, Class<?>> e : classes.entrySet()) {
            Part p = e.getKey();
            Class<?> c = e.getValue();
            parts = parts.with(p, p.plug(args -> make(c, p.role, args), parts.get(p)));
        }
        return parts;
    }

    /** new c(args) through the constructor of its exercise's shape, as the part's interface. */
    private static <T> T make(Class<?> c, Class<T> as, Object... args) {
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (k.getParameterCount() == args.length && Modifier.isPublic(k.getModifiers())) {
                try {
                    return as.cast(k.newInstance(args));
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(c.getSimpleName() + "'s constructor failed", e.getCause());
                } catch (ReflectiveOperationException | IllegalArgumentException e) {
                    // another constructor with as many parameters: try the next
                }
            }
        }
        throw new IllegalArgumentException(c.getSimpleName() + " has no public constructor for " + args.length
                + " arguments");
    }
}

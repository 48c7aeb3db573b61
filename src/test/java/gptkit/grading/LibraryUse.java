package gptkit.grading;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The rule a graded part obeys, checked on its compiled classes (so no spelling of the source,
 * a unicode escape, a string that looks like a comment, can hide a call): it may use the
 * library's interfaces and the data they carry, DJL's NDArray and Java's own classes, but not the
 * library's implementations (gptkit.schedule.GetLr would pass every check without a line of the
 * student's own), DJL's ready-made losses and optimizers, reflection, method handles or class
 * loading by name (which could reach anything). Each call is then held to an allowlist ({@link Allowed}):
 * no factory or default method of the part's own interface, no threads, call stack or system
 * properties (a part that tells the grader from training), nothing beyond plain Java and NDArray.
 */
public final class LibraryUse {
    private LibraryUse() {}

    /** What a part may use from the kit: the part interfaces, their data, no_grad and the stub. */
    static final Set<String> ALLOWED = Set.of(
            "gptkit.data.BatchSource", "gptkit.data.TokenFile", "gptkit.data.LossMask", "gptkit.data.LossMask$Row", "gptkit.model.Loss", "gptkit.model.LoraLinear", "gptkit.model.GPTConfig",
            "gptkit.optim.Optimizer", "gptkit.optim.Optimizer$Factory", "gptkit.optim.AdamW$ParamGroup",
            "gptkit.optim.DecayGrouping", "gptkit.config.TrainConfig",
            "gptkit.schedule.LrSchedule", "gptkit.train.LossEstimator", "gptkit.train.LossEstimator$Model",
            "gptkit.train.EstimateLoss$Losses", "gptkit.train.GradClipper",
            "gptkit.amp.LossScaler", "gptkit.amp.LossScaler$State", "gptkit.ddp.Collective",
            "gptkit.checkpoint.CheckpointStore", "gptkit.checkpoint.Checkpoint$Header", "gptkit.checkpoint.Checkpoint$Loaded",
            "gptkit.checkpoint.Checkpoint$TensorInfo", "gptkit.train.Loop", "gptkit.train.Loop$Steps",
            "gptkit.autograd.NoGrad", "gptkit.autograd.Autograd", "gptkit.autograd.Tensors",
            "gptkit.exercises.NotImplementedYet");

    /** Packages and classes no part may touch, and why. */
    private static final List<String[]> BANNED = List.of(
            new String[] {"java.lang.reflect.", "reflection"},
            new String[] {"java.lang.invoke.", "method handles"},
            new String[] {"java.lang.ClassLoader", "class loading"},
            new String[] {"java.net.URLClassLoader", "class loading"},
            new String[] {"java.util.ServiceLoader", "class loading"},
            new String[] {"javax.tools.", "a compiler"},
            new String[] {"java.lang.ProcessBuilder", "another process"},
            new String[] {"java.lang.Runtime", "another process"},
            new String[] {"java.beans.", "JavaBeans' reflection"},
            new String[] {"java.lang.Thread", "threads or the call stack"},
            new String[] {"java.lang.StackWalker", "the call stack"},
            new String[] {"java.lang.StackTraceElement", "the call stack"},
            new String[] {"java.util.concurrent.", "threads or executors"},
            new String[] {"ai.djl.training.loss.", "DJL's ready-made losses"},
            new String[] {"ai.djl.training.optimizer.", "DJL's ready-made optimizers"},
            new String[] {"ai.djl.training.tracker.", "DJL's ready-made schedules"},
            new String[] {"ai.djl.ndarray.internal.", "DJL's internals"},
            new String[] {"ai.djl.pytorch.", "the engine's internals"});

    /** Methods of java.lang.Class that find or make classes and members by name. */
    private static final Set<String> CLASS_BY_NAME = Set.of("forName", "getMethod", "getMethods",
            "getDeclaredMethod", "getDeclaredMethods", "getField", "getFields", "getDeclaredField",
            "getDeclaredFields", "getConstructor", "getConstructors", "getDeclaredConstructor",
            "getDeclaredConstructors", "newInstance", "getClassLoader", "getResource", "getResourceAsStream");

    /** Why the classes compiled from one exercise file may not be graded, or null when they obey. */
    public static String problem(Path classesDir) {
        return problem(new ClassFileImporter().importPath(classesDir));
    }

    /** The same for a class on the test class path (a solution or a wrong answer) and its nested classes. */
    public static String problem(Class<?> cls) {
        String top = cls.getName();
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(loc -> loc.contains("/" + cls.getSimpleName() + ".class")
                        || loc.contains("/" + cls.getSimpleName() + "$"))
                .importPackages(cls.getPackageName());
        return problem(classes.that(new com.tngtech.archunit.base.DescribedPredicate<JavaClass>("from " + top) {
            @Override
            public boolean test(JavaClass c) {
                return c.getName().equals(top) || c.getName().startsWith(top + "$");
            }
        }));
    }

    /**
     * The first problem in source order (class, then line), so the same file always gets the same
     * message: the grader recognises a known mistake by its exact message.
     */
    private static String problem(Iterable<JavaClass> classes) {
        java.util.TreeMap<String, String> found = new java.util.TreeMap<>();
        java.util.List<JavaClass> all = new java.util.ArrayList<>();
        classes.forEach(all::add);
        Set<String> implemented = new java.util.HashSet<>();
        for (JavaClass c : all) {
            c.getAllRawInterfaces().forEach(i -> implemented.add(i.getName()));
        }
        boolean files = implemented.contains("gptkit.checkpoint.CheckpointStore");
        for (JavaClass c : all) {
            String missing = inherited(c);
            if (missing != null) {
                found.put(key(c, 0, missing), c.getSimpleName() + " does not write " + missing + ": without it the "
                        + "interface's default method, the library's own code, runs in its place; write it yourself");
            }
        }
        for (JavaClass c : all) {
            for (JavaAccess<?> a : c.getAccessesFromSelf()) {
                AccessTarget t = a.getTarget();
                if (t.getOwner().getName().equals("java.lang.Class") && CLASS_BY_NAME.contains(t.getName())) {
                    found.put(key(c, a.getLineNumber(), t.getName()), "it calls Class." + t.getName() + " "
                            + where(a.getDescription()) + ": a part may not find or load classes by name; write it yourself");
                    continue;
                }
                String why = Allowed.refused(c, t, implemented, files);
                if (why != null) {
                    String member = t.getOwner().getName().replace('$', '.') + "." + t.getName();
                    found.put(key(c, a.getLineNumber(), member), "it calls " + member + " " + where(a.getDescription())
                            + ": " + why);
                }
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getName();
                int line = d.getSourceCodeLocation().getLineNumber();
                if (target.startsWith("gptkit.") && !ALLOWED.contains(target) && !ownClass(target, c)) {
                    found.put(key(c, line, target), "it uses " + target.replace('$', '.') + " "
                            + where(d.getDescription())
                            + ": write it yourself; the library's version is the reference, not the answer");
                }
                for (String[] b : BANNED) {
                    boolean hit = b[0].endsWith(".") ? target.startsWith(b[0]) : target.equals(b[0]);
                    if (hit && !lambdaMachinery(target)) {
                        found.put(key(c, line, target), "it uses " + target + " " + where(d.getDescription())
                                + ": a part may not use " + b[1] + "; write it with NDArray and plain Java");
                    }
                }
            }
        }
        return found.isEmpty() ? null : found.firstEntry().getValue();
    }

    /** Default methods that are the exercise itself: a part that does not override one hands in the library's. */
    private static final java.util.Map<String, String> EXERCISE_DEFAULTS = java.util.Map.of(
            "gptkit.ddp.Collective", "averageGradients");

    /** The exercise's default method that class c, a part, leaves to its interface, or null. */
    private static String inherited(JavaClass c) {
        if (c.isInterface()) {
            return null;
        }
        for (JavaClass i : c.getAllRawInterfaces()) {
            String m = EXERCISE_DEFAULTS.get(i.getName());
            if (m != null && c.getAllMethods().stream().noneMatch(x -> x.getName().equals(m)
                    && !x.getOwner().isInterface())) {
                return m;
            }
        }
        return null;
    }

    private static String key(JavaClass c, int line, String what) {
        return String.format("%s %08d %s", c.getName(), line, what);
    }

    /** A wrong answer or solution may use its own nested classes. */
    private static boolean ownClass(String target, JavaClass c) {
        String top = c.getName().contains("$") ? c.getName().substring(0, c.getName().indexOf('$')) : c.getName();
        return target.equals(top) || target.startsWith(top + "$");
    }

    /** What javac itself emits for a lambda or a string concatenation. */
    private static boolean lambdaMachinery(String target) {
        return target.equals("java.lang.invoke.MethodHandles$Lookup") || target.equals("java.lang.invoke.LambdaMetafactory")
                || target.equals("java.lang.invoke.StringConcatFactory");
    }

    /** "(GetLr.java:12)" from ArchUnit's description of a dependency. */
    private static String where(String description) {
        int i = description.lastIndexOf(" in (");
        return i < 0 ? "" : "at " + description.substring(i + 4).replace(")", "").replace("(", "");
    }
}

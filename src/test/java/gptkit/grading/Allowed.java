package gptkit.grading;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;

import java.util.Optional;
import java.util.Set;

/**
 * What a part's code may call, member by member: an allowlist, because a denylist is one
 * forgotten class away from a cheat (java.beans.Expression reaching Class.forName, a stack trace
 * that tells the grader from training, the interface's own default method). A part may call its
 * own classes, the part interfaces' abstract methods and their data types, ai.djl.ndarray, and
 * plain Java (numbers, strings, collections, streams); the checkpoint part also files, streams and
 * Gson. Everything else is refused with the reason.
 */
final class Allowed {
    private Allowed() {}

    /** java.lang classes a part may call (all their members), besides exceptions. */
    private static final Set<String> JAVA_LANG = Set.of("Object", "String", "StringBuilder", "StringBuffer",
            "CharSequence", "Math", "StrictMath", "Integer", "Long", "Double", "Float", "Short", "Byte", "Boolean",
            "Character", "Number", "Iterable", "AutoCloseable", "Comparable", "Record", "Enum", "Void", "Runnable");

    /** java.util packages and classes no part needs, that reach threads, services or the machine. */
    private static final Set<String> JAVA_UTIL_REFUSED = Set.of("java.util.concurrent.", "java.util.ServiceLoader",
            "java.util.Timer", "java.util.logging.", "java.util.prefs.", "java.util.jar.", "java.util.zip.",
            "java.util.spi.");

    /** System's members a part may use: printing and copying arrays. */
    private static final Set<String> SYSTEM = Set.of("arraycopy", "nanoTime", "currentTimeMillis", "identityHashCode",
            "lineSeparator", "out", "err");

    /** Class's members that look at nothing but the class itself (desiredAssertionStatus: javac's assert). */
    private static final Set<String> CLASS = Set.of("getName", "getSimpleName", "isInstance", "cast",
            "desiredAssertionStatus");

    /** The same answer under the grader and in training: no part reads the environment. */
    private static final String ENVIRONMENT = "a part may not read system properties or the environment "
            + "(a part must compute the same under the grader as in training); write it with NDArray and plain Java";

    private static final String PLAIN = "a part may call only its own classes, the part interfaces, "
            + "ai.djl.ndarray and plain Java (numbers, strings, collections, streams); write it with those";

    /**
     * Why c may not call t, or null when it may. implemented: the part interfaces its classes
     * implement; files: the checkpoint part, which also reads and writes files.
     */
    static String refused(JavaClass c, AccessTarget t, Set<String> implemented, boolean files) {
        JavaClass owner = t.getOwner();
        String o = owner.getName();
        String top = c.getName().contains("$") ? c.getName().substring(0, c.getName().indexOf('$')) : c.getName();
        if (o.equals(top) || o.startsWith(top + "$") || owner.isArray()) {
            return null;
        }
        if (o.startsWith("gptkit.")) {
            return LibraryUse.ALLOWED.contains(o) ? kit(t, implemented) : null; // the rest: LibraryUse's own message
        }
        if (o.startsWith("ai.djl.")) {
            return o.startsWith("ai.djl.ndarray.") ? null : PLAIN;
        }
        if (o.startsWith("java.util.")) {
            return JAVA_UTIL_REFUSED.stream().anyMatch(p -> p.endsWith(".") ? o.startsWith(p) : o.equals(p)) ? PLAIN : null;
        }
        if (files && (o.startsWith("java.io.") || o.startsWith("java.nio.") || o.startsWith("com.google.gson."))) {
            return null;
        }
        if (o.equals("java.io.PrintStream")) {
            return null; // System.out.println while debugging
        }
        if (o.equals("java.lang.System")) {
            if (SYSTEM.contains(t.getName())) {
                return null;
            }
            return t.getName().matches("getProperty|getProperties|getenv|setProperty|setProperties|clearProperty")
                    ? ENVIRONMENT : "a part may not use System." + t.getName() + "; write it with NDArray and plain Java";
        }
        if (o.matches("java\\.lang\\.(Integer|Long|Boolean)") && t.getName().matches("getInteger|getLong|getBoolean")) {
            return ENVIRONMENT; // Integer.getInteger("x") reads -Dx
        }
        if (o.equals("java.lang.Class")) {
            return CLASS.contains(t.getName()) ? null : "a part may not look into classes; write it yourself";
        }
        if (owner.isAssignableTo(Throwable.class)) {
            return t.getName().matches("getStackTrace|setStackTrace")
                    ? "a part may not look at the call stack (it would tell the grader from training); "
                    + "write it with NDArray and plain Java" : null;
        }
        if (o.startsWith("java.lang.") && JAVA_LANG.contains(o.substring("java.lang.".length()))) {
            return null;
        }
        if (o.startsWith("java.io.") || o.startsWith("java.nio.") || o.startsWith("com.google.gson.")) {
            return "only the checkpoint part may use files, streams and JSON; write it with NDArray and plain Java";
        }
        return PLAIN;
    }

    /**
     * A part interface's abstract methods and the data types' members are the part's to call; its
     * static factories (LrSchedule.library) and the default methods of the interface the part
     * itself implements (Collective.averageGradients) are the library's own answer.
     */
    private static String kit(AccessTarget t, Set<String> implemented) {
        JavaClass owner = t.getOwner();
        if (!owner.isInterface()) {
            return null;
        }
        Optional<? extends JavaMember> m = t.resolveMember();
        if (m.isEmpty()) {
            return null;
        }
        Set<JavaModifier> mods = m.get().getModifiers();
        String name = m.get().getOwner().getSimpleName() + "." + t.getName();
        if (mods.contains(JavaModifier.STATIC)) {
            return "a part may not call " + name + ", a factory of the library's parts: the library's code "
                    + "is the reference, not the answer; write it yourself";
        }
        if (!mods.contains(JavaModifier.ABSTRACT) && implemented.contains(m.get().getOwner().getName())) {
            return name + " is the library's own code of the part you write (the interface's default method): "
                    + "the reference, not the answer; write it yourself";
        }
        return null;
    }
}

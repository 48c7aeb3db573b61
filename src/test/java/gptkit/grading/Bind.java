package gptkit.grading;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds a class to a check API by method name and parameter types, through reflection: the
 * grader compiles and runs without solutions/ (students' copies), and a changed signature fails
 * only its exercise, with a message that names the expected signature.
 */
public final class Bind {
    private Bind() {}

    /** The class or a method is missing, or has another signature. */
    public static final class Mismatch extends RuntimeException {
        Mismatch(String message) {
            super(message);
        }
    }

    /** The API's methods as the public static methods of impl. */
    public static <I> I statics(Class<I> api, Class<?> impl) {
        return proxy(api, impl, null, true);
    }

    /** The API's methods as the instance methods of target. */
    public static <I> I instance(Class<I> api, Object target) {
        return proxy(api, target.getClass(), target, false);
    }

    /**
     * A student's part: cls must implement the library's interface part and have a public
     * constructor with exactly these parameter types; both are checked now, at binding.
     */
    public static <T> Ctor<T> part(Class<?> cls, Class<T> part, Class<?>... types) {
        if (!part.isAssignableFrom(cls)) {
            throw new Mismatch(cls.getSimpleName() + " must implement " + part.getName() + ": keep `public final class "
                    + cls.getSimpleName() + " implements " + part.getSimpleName() + "` as the exercise gives it");
        }
        try {
            Constructor<?> c = cls.getDeclaredConstructor(types);
            if (!Modifier.isPublic(c.getModifiers())) {
                throw new NoSuchMethodException();
            }
            c.setAccessible(true);
            return args -> {
                try {
                    return part.cast(c.newInstance(args));
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        } catch (NoSuchMethodException e) {
            throw new Mismatch(cls.getSimpleName() + " has no constructor `public " + cls.getSimpleName() + "("
                    + names(types) + ")`: keep the constructors the exercise gives");
        }
    }

    /** Makes a new instance of a student's part for each call. */
    @FunctionalInterface
    public interface Ctor<T> {
        T make(Object... args);
    }

    /** new impl(args) through the constructor with exactly these parameter types. */
    public static Object construct(Class<?> impl, Class<?>[] types, Object... args) throws Throwable {
        Constructor<?> c;
        try {
            c = impl.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new Mismatch(impl.getSimpleName() + " has no constructor " + impl.getSimpleName()
                    + "(" + names(types) + "): keep the signatures the exercise gives");
        }
        c.setAccessible(true);
        try {
            return c.newInstance(args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static <I> I proxy(Class<I> api, Class<?> impl, Object target, boolean statics) {
        Map<Method, Method> to = new HashMap<>();
        for (Method m : api.getMethods()) {
            if (!m.isDefault() && !Modifier.isStatic(m.getModifiers())) {
                to.put(m, find(impl, m, statics));
            }
        }
        InvocationHandler h = (proxy, m, args) -> {
            Method t = to.get(m);
            if (t == null) { // Object's methods
                return switch (m.getName()) {
                    case "toString" -> impl.getName() + " as " + api.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                };
            }
            try {
                return t.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, h));
    }

    private static Method find(Class<?> impl, Method m, boolean statics) {
        String want = (statics ? "public static " : "public ") + m.getReturnType().getSimpleName() + " "
                + m.getName() + "(" + names(m.getParameterTypes()) + ")";
        Method t;
        try {
            t = impl.getDeclaredMethod(m.getName(), m.getParameterTypes());
        } catch (NoSuchMethodException e) {
            throw new Mismatch(impl.getSimpleName() + " has no method `" + want
                    + "`: keep the signatures the exercise gives");
        }
        if (Modifier.isStatic(t.getModifiers()) != statics || !m.getReturnType().equals(t.getReturnType())) {
            throw new Mismatch(impl.getSimpleName() + "." + m.getName() + " must be `" + want + "`");
        }
        t.setAccessible(true);
        return t;
    }

    private static String names(Class<?>[] types) {
        return Arrays.stream(types).map(Class::getSimpleName).collect(Collectors.joining(", "));
    }
}

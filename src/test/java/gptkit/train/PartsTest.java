package gptkit.train;

import gptkit.schedule.LrSchedule;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parts.with, the one seam, and the one name per row of the Part table. */
class PartsTest {
    /** The packages of the library's parts, where each row's class lives. */
    static final List<String> PACKAGES = List.of("gptkit.data", "gptkit.model", "gptkit.optim", "gptkit.amp",
            "gptkit.ddp", "gptkit.schedule", "gptkit.checkpoint", "gptkit.train");

    @Test
    void withRefusesAPartOfAnotherTypeAndSaysWhatToGive() {
        Parts lib = Parts.library();
        // a schedule itself where get_lr takes the factory that builds one for each run
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lib.with(Part.GET_LR, (LrSchedule) it -> 1e-3));
        String m = e.getMessage();
        assertTrue(m.contains("the get_lr part must be a gptkit.schedule.LrSchedule.Factory")
                && m.contains("it builds the LrSchedule of each run") && m.contains("(LrSchedule.Factory) ...")
                && m.contains("but got a lambda or method reference of gptkit.schedule.LrSchedule."), m);
        // another part's interface
        e = assertThrows(IllegalArgumentException.class, () -> lib.with(Part.CLIP_GRAD_NORM, new TrainLoop()));
        assertTrue(e.getMessage().contains("the clip_grad_norm part must be a gptkit.train.GradClipper, but got a "
                + "gptkit.train.TrainLoop"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lib.with(Part.TRAIN_LOOP, null));
        assertTrue(e.getMessage().contains("but got null"), e.getMessage());
    }

    @Test
    void withSwapsOnePartAndKeepsTheOthers() {
        Parts lib = Parts.library();
        GradClipper mine = (grads, maxNorm) -> 0f;
        Parts swapped = lib.with(Part.CLIP_GRAD_NORM, mine);
        assertSame(mine, swapped.clipGradNorm());
        assertNotSame(mine, lib.clipGradNorm(), "the parts it came from are left as they were");
        for (Part p : Part.values()) {
            if (p != Part.CLIP_GRAD_NORM) {
                assertSame(lib.get(p), swapped.get(p), p.id);
            }
        }
    }

    @Test
    void theLibraryHasEveryPartAndEachGetterIsNamedForItsRow() throws Exception {
        Parts lib = Parts.library();
        for (Part p : Part.values()) {
            assertTrue(p.slot.isInstance(lib.get(p)), p.id);
            Method getter = Parts.class.getMethod(p.getter());
            assertEquals(p.slot, getter.getReturnType(), p.getter());
            assertSame(lib.get(p), getter.invoke(lib), p.getter());
        }
    }

    /** id == exercise file == answer == library class == grader; the interface is named for its role. */
    @Test
    void eachRowHasOneName() throws Exception {
        for (Part p : Part.values()) {
            assertEquals(p.id, snake(p.file).replace("adam_w", "adamw"), "the id is the class in snake case");
            assertTrue(Files.exists(Path.of(p.exercisePath())), p.exercisePath());
            assertTrue(Files.exists(Path.of("solutions/gptkit/solutions/" + p.file + ".java")), p.file);
            Class.forName("gptkit.grading." + p.file + "ExerciseTest");
            assertTrue(libraryClass(p) != null, "no library class " + p.file + " in " + PACKAGES);
            assertTrue(p.role.isInterface(), p.role + " is an interface");
            assertNotEquals(p.file, p.role.getSimpleName(), p.id);
        }
    }

    /** README's table of exercises is this table, row for row (and README.zh.md's too). */
    @Test
    void theReadmesListTheRowsInOrder() throws Exception {
        for (String readme : List.of("README.md", "README.zh.md")) {
            List<String> got = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(readme))) {
                if (line.startsWith("| `") && line.matches(".*`\\w+ExerciseTest` \\|$")) {
                    got.add(line);
                }
            }
            assertEquals(Part.values().length, got.size(), readme + ": " + got);
            for (Part p : Part.values()) {
                String row = got.get(p.ordinal());
                String[] cells = row.substring(1).split("\\|");
                assertEquals("`" + p.id + "`", cells[0].trim(), readme + ": " + row);
                assertTrue(cells[1].trim().startsWith(p.notebook + " "), readme + ": " + row);
                assertEquals("`" + p.file + "`", cells[2].trim(), readme + ": " + row);
                assertEquals("`" + libraryClass(p).getPackageName() + "`", cells[3].trim(), readme + ": " + row);
                assertEquals("`" + p.role.getSimpleName() + "`", cells[4].trim(), readme + ": " + row);
                assertEquals("`" + p.file + "ExerciseTest`", cells[5].trim(), readme + ": " + row);
            }
        }
    }

    static Class<?> libraryClass(Part p) {
        for (String pkg : PACKAGES) {
            try {
                Class<?> c = Class.forName(pkg + "." + p.file);
                if (Modifier.isPublic(c.getModifiers()) && !c.isInterface()) {
                    return c;
                }
            } catch (ClassNotFoundException e) {
                // in another package
            }
        }
        return null;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }
}

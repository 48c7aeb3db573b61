package gptkit.exercises;

import gptkit.TinyCorpus;
import gptkit.config.TrainConfig;
import gptkit.train.GetLr;
import gptkit.train.LrSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `--parts=exercises`: solved files replace the library's parts, the others leave them, and the run says which. */
class StudentPartsTest {
    /** A solution as a student's file: the same class in the default package. */
    static String asStudentFile(String file) throws Exception {
        return Files.readString(Path.of("solutions/gptkit/solutions/" + file + ".java"))
                .replace("package gptkit.solutions;", "");
    }

    static String line(List<String> report, Part p) {
        return report.stream().filter(l -> l.trim().startsWith(p.id + " ")).findFirst().orElseThrow();
    }

    @Test
    void solvedPartsReplaceTheLibrarysAndTheOthersSayWhyNot(@TempDir Path kit) throws Exception {
        Path ex = Files.createDirectories(kit.resolve("exercises"));
        Files.writeString(ex.resolve("GetLr.java"), asStudentFile("GetLr"));
        Files.writeString(ex.resolve("AdamW.java"), "public final class AdamW {\n  int x = ;\n}\n");
        Files.copy(Path.of("exercises/TrainLoop.java"), ex.resolve("TrainLoop.java")); // the stub
        StudentParts.Plugged p = StudentParts.fromExercises(kit);
        assertTrue(line(p.report(), Part.GET_LR).contains("yours    exercises/GetLr.java"), p.report().toString());
        assertTrue(line(p.report(), Part.ADAMW).contains("library  (does not compile: exercises/AdamW.java:2: "),
                p.report().toString());
        assertTrue(line(p.report(), Part.TRAIN_LOOP).contains("library  (not attempted yet)"), p.report().toString());
        assertTrue(line(p.report(), Part.CHECKPOINT).contains("library  (exercises/Checkpoint.java is missing"),
                p.report().toString());
        assertEquals(List.of(Part.GET_LR), List.copyOf(p.students().keySet()));
        TrainConfig c = TrainConfig.preset("shakespeare_char_cpu");
        LrSchedule mine = p.parts().schedule().create(c);
        assertEquals("GetLr", mine.getClass().getName(), "the student's class, from exercises/");
        for (int it : new int[] {0, 50, 99, 100, 1000, 2000, 5000}) {
            assertEquals(new GetLr(c).lr(it), mine.lr(it), 0.0, "lr(" + it + ")");
        }
        c.decay_lr = false; // train.py: a constant rate, whoever wrote get_lr
        assertEquals(c.learning_rate, p.parts().schedule().create(c).lr(0));
    }

    @Test
    void aPartWithAnotherShapeIsLeftOutWithTheReason(@TempDir Path kit) throws Exception {
        Path ex = Files.createDirectories(kit.resolve("exercises"));
        Files.writeString(ex.resolve("GetLr.java"), "public final class GetLr {\n"
                + "  public double lr(int it) { return 1e-3; }\n}\n");
        StudentParts.Plugged p = StudentParts.fromExercises(kit);
        assertTrue(line(p.report(), Part.GET_LR).contains("GetLr does not implement gptkit.train.LrSchedule"),
                p.report().toString());
        assertTrue(p.students().isEmpty());
    }

    @Test
    void theCommandLineListsWhoseEachPartIs(@TempDir Path kit, @TempDir Path out) throws Exception {
        Path ex = Files.createDirectories(kit.resolve("exercises"));
        Files.writeString(ex.resolve("GetLr.java"), asStudentFile("GetLr"));
        Files.writeString(ex.resolve("TrainLoop.java"), asStudentFile("TrainLoop"));
        TrainConfig c = TinyCorpus.config(out.resolve("run"));
        Path conf = out.resolve("tiny.conf");
        Files.writeString(conf, String.join("\n", c.toMap().entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue()).toList()) + "\n");
        PrintStream so = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        String home = System.getProperty("gptkit.home");
        try {
            System.setProperty("gptkit.home", kit.toString());
            System.setOut(new PrintStream(o, true));
            assertEquals(0, gptkit.cli.Main.commandLine().execute("train", conf.toString(), "--parts=exercises",
                    "--max_iters=4"));
        } finally {
            System.setOut(so);
            if (home == null) {
                System.clearProperty("gptkit.home");
            } else {
                System.setProperty("gptkit.home", home);
            }
        }
        String printed = o.toString();
        assertTrue(printed.contains("parts: 2 of " + gptkit.exercises.Part.values().length + " are yours (exercises/), the others the library's:"), printed);
        assertTrue(printed.contains("get_lr          yours    exercises/GetLr.java"), printed);
        assertTrue(printed.contains("train_loop      yours    exercises/TrainLoop.java"), printed);
        assertTrue(printed.contains("iter 4: loss"), printed);
    }
}

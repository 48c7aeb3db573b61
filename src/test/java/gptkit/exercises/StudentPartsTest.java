package gptkit.exercises;

import gptkit.TinyCorpus;
import gptkit.config.TrainConfig;
import gptkit.data.LossMask;
import gptkit.data.SftBatches;
import gptkit.schedule.GetLr;
import gptkit.schedule.LrSchedule;
import gptkit.sft.SftTest;
import gptkit.songci.SongCiSets;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        LrSchedule mine = p.parts().getLr().create(c);
        assertEquals("GetLr", mine.getClass().getName(), "the student's class, from exercises/");
        for (int it : new int[] {0, 50, 99, 100, 1000, 2000, 5000}) {
            assertEquals(new GetLr(c).lr(it), mine.lr(it), 0.0, "lr(" + it + ")");
        }
        c.decay_lr = false; // train.py: a constant rate, whoever wrote get_lr
        assertEquals(c.learning_rate, p.parts().getLr().create(c).lr(0));
    }

    @Test
    void aPartWithAnotherShapeIsLeftOutWithTheReason(@TempDir Path kit) throws Exception {
        Path ex = Files.createDirectories(kit.resolve("exercises"));
        Files.writeString(ex.resolve("GetLr.java"), "public final class GetLr {\n"
                + "  public double lr(int it) { return 1e-3; }\n}\n");
        StudentParts.Plugged p = StudentParts.fromExercises(kit);
        assertTrue(line(p.report(), Part.GET_LR).contains("GetLr does not implement gptkit.schedule.LrSchedule"),
                p.report().toString());
        assertTrue(p.students().isEmpty());
    }

    /** A file written before issue 22 moved the packages says the old names: the message says where they went. */
    @Test
    void aFileWithTheOldNamesIsToldTheNewOnes(@TempDir Path kit) throws Exception {
        Path ex = Files.createDirectories(kit.resolve("exercises"));
        Files.writeString(ex.resolve("GetLr.java"), asStudentFile("GetLr")
                .replace("import gptkit.schedule.LrSchedule;", "import gptkit.train.LrSchedule;"));
        Files.writeString(ex.resolve("Checkpoint.java"), asStudentFile("Checkpoint"));
        StudentParts.Plugged p = StudentParts.fromExercises(kit);
        assertTrue(line(p.report(), Part.GET_LR).contains("does not compile: exercises/GetLr.java:")
                && line(p.report(), Part.GET_LR).contains("gptkit.train.LrSchedule is now gptkit.schedule.LrSchedule"),
                p.report().toString());
        assertTrue(line(p.report(), Part.CHECKPOINT).contains("yours"), "a file of the new names compiles as it is: "
                + p.report());
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
        assertTrue(printed.contains("parts: 2 of " + gptkit.train.Part.values().length + " are yours (exercises/), the others the library's:"), printed);
        assertTrue(printed.contains("get_lr                yours    exercises/GetLr.java"), printed);
        assertTrue(printed.contains("train_loop            yours    exercises/TrainLoop.java"), printed);
        assertTrue(printed.contains("iter 4: loss"), printed);
    }

    @Test
    void aSolvedSftMaskMakesFinetunesRows(@TempDir Path kit) throws Exception {
        Path ex = Files.createDirectories(kit.resolve("exercises"));
        Files.writeString(ex.resolve("SftMask.java"), asStudentFile("SftMask"));
        StudentParts.Plugged p = StudentParts.fromExercises(kit);
        assertTrue(line(p.report(), Part.SFT_MASK).contains("yours    exercises/SftMask.java"), p.report().toString());
        assertEquals("SftMask", p.parts().sftMask().getClass().getName(), "the student's class, from exercises/");
        SplittableRandom r = new SplittableRandom(11);
        for (int k = 0; k < 50; k++) {
            int[] prompt = r.ints(1 + r.nextInt(8), 0, 30).toArray(), response = r.ints(1 + r.nextInt(20), 0, 30).toArray();
            int block = 1 + r.nextInt(24);
            LossMask.Row want = gptkit.data.SftMask.mask(prompt, response, block, 7);
            LossMask.Row got = p.parts().sftMask().mask(prompt, response, block, 7);
            assertArrayEquals(want.x(), got.x());
            assertArrayEquals(want.y(), got.y());
        }
        assertTrue(p.parts().forSft().getBatch() instanceof SftBatches);
        assertFalse(p.parts().getBatch() instanceof SftBatches, "train's get_batch is left alone: the mask is fine-tuning's");
    }

    @Test
    void finetuneWithPartsExercisesDrawsItsRowsThroughTheStudentsMask(@TempDir Path kit, @TempDir Path tmp)
            throws Exception {
        Path root = SftTest.songci(tmp.resolve("data"));
        Path base = tmp.resolve("base");
        TrainConfig pre = SftTest.tiny(root, SongCiSets.POEMS, base);
        pre.apply("--max_iters=4", "--eval_interval=4");
        try (Trainer t = new Trainer(pre, Parts.library(), TinyCorpus.quiet())) {
            t.run();
        }
        TrainConfig ft = SftTest.tiny(root, SongCiSets.SFT, tmp.resolve("sft"));
        ft.apply("--max_iters=2", "--eval_interval=2", "--eval_iters=1");
        Path conf = tmp.resolve("sft.conf");
        Files.writeString(conf, String.join("\n", ft.toMap().entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue()).toList()) + "\n");
        Path ex = Files.createDirectories(kit.resolve("exercises"));
        // a mask that says it was called: finetune must draw its rows through the student's part
        Files.writeString(ex.resolve("SftMask.java"), asStudentFile("SftMask").replace("int len = prompt.length",
                "if (blockSize > 0) throw new IllegalStateException(\"the student's SftMask was called\");\n"
                        + "        int len = prompt.length"));
        String[] out = finetune(kit, conf, base, tmp.resolve("sft-thrown"));
        assertTrue(out[0].contains("sft_mask              yours    exercises/SftMask.java"), out[0]);
        assertTrue(out[1].contains("error: the student's SftMask was called"), out[1]);
        // the right answer as a student's file: the run trains through it
        Files.writeString(ex.resolve("SftMask.java"), asStudentFile("SftMask"));
        out = finetune(kit, conf, base, tmp.resolve("sft"));
        assertTrue(out[0].contains("sft_mask              yours    exercises/SftMask.java"), out[0]);
        assertTrue(out[0].contains("done: 3 iterations"), out[0] + out[1]);
    }

    /** ./gptkit finetune CONF --init_from=BASE --out_dir=OUT --parts=exercises in kit: what it printed, stdout and stderr. */
    static String[] finetune(Path kit, Path conf, Path base, Path outDir) {
        PrintStream so = System.out, se = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        String home = System.getProperty("gptkit.home");
        try {
            System.setProperty("gptkit.home", kit.toString());
            System.setOut(new PrintStream(o, true));
            System.setErr(new PrintStream(e, true));
            gptkit.cli.Main.commandLine().execute("finetune", conf.toString(), "--init_from=" + base,
                    "--out_dir=" + outDir, "--parts=exercises");
        } finally {
            System.setOut(so);
            System.setErr(se);
            if (home == null) {
                System.clearProperty("gptkit.home");
            } else {
                System.setProperty("gptkit.home", home);
            }
        }
        return new String[] {o.toString(), e.toString()};
    }
}

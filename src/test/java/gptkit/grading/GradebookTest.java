package gptkit.grading;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./gptkit grade on three submissions and two exercises: a right one, one whose get_lr calls
 * System.exit, one whose get_lr reads /etc/passwd and whose sft_mask does not compile. Each is graded
 * in a JVM of its own; the exit and the read cost get_lr only, and the grading goes on.
 */
class GradebookTest {
    private static final Path KIT = Path.of(System.getProperty("basedir", "."));

    private static void submit(Path dir, String file, String injected) throws Exception {
        Files.createDirectories(dir);
        String s = Files.readString(KIT.resolve("solutions/gptkit/solutions/" + file + ".java"))
                .replace("package gptkit.solutions;", "");
        if (injected != null) {
            String head = file.equals("GetLr") ? "public double lr(int it) {" : "{";
            assertTrue(s.contains(head), file + " changed: update this test");
            s = s.replaceFirst(java.util.regex.Pattern.quote(head), java.util.regex.Matcher.quoteReplacement(head + injected));
        }
        Files.writeString(dir.resolve(file + ".java"), s);
    }

    @Test
    void eachSubmissionInItsOwnJvmSurvivesExitAndIsKeptFromOtherFiles(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Selection.selfTests() && Selection.exercises().isEmpty(),
                "the instructor's gradebook is tested with ./mvnw test and -Dgrade=solutions|all");
        Assumptions.assumeTrue(Files.isDirectory(KIT.resolve("solutions")), "a kit without solutions/");
        submit(tmp.resolve("ann/exercises"), "GetLr", null);
        submit(tmp.resolve("ann/exercises"), "SftMask", null);
        submit(tmp.resolve("ben/exercises"), "GetLr", "System.exit(0);");
        submit(tmp.resolve("ben/exercises"), "SftMask", null);
        submit(tmp.resolve("cat/exercises"), "GetLr",
                "if (java.nio.file.Files.exists(java.nio.file.Path.of(\"/etc/passwd\"))) { return 0; }");
        submit(tmp.resolve("cat/exercises"), "SftMask", "int broken = ;");
        Path out = tmp.resolve("grades");
        Gradebook.main(new String[] {"--out=" + out, "--seed=7", "--exercise=get_lr,sft_mask", "--time=300",
            tmp.resolve("ann/exercises").toString(), tmp.resolve("ben/exercises").toString(),
            tmp.resolve("cat/exercises").toString()});
        List<String> csv = Files.readAllLines(out.resolve("grades.csv"));
        int lr = Catalog.ids().indexOf("get_lr") + 1;
        int mask = Catalog.ids().indexOf("sft_mask") + 1;
        int lrMax = Catalog.byId("get_lr").maxPoints();
        int maskMax = Catalog.byId("sft_mask").maxPoints();
        assertEquals(4, csv.size(), String.join("\n", csv));
        String[] ann = csv.get(1).split(",", -1);
        String[] ben = csv.get(2).split(",", -1);
        String[] cat = csv.get(3).split(",", -1);
        assertEquals(List.of("ann", "" + lrMax, "" + maskMax, "7"), List.of(ann[0], ann[lr], ann[mask], ann[ann.length - 2]),
                csv.get(1));
        assertEquals(List.of("ben", "0", "" + maskMax), List.of(ben[0], ben[lr], ben[mask]),
                "System.exit in get_lr costs get_lr only: " + csv.get(2));
        assertEquals(List.of("cat", "0", "0"), List.of(cat[0], cat[lr], cat[mask]), csv.get(3));
        assertEquals("", ann[1], "get_batch was not graded: blank");
        String card = Files.readString(out.resolve("cat.txt"));
        // refused by the class rule (only checkpoint may use files) or, past it, by the grading JVM's guard
        assertTrue(card.contains("does not let an exercise read /etc/passwd")
                || card.contains("it calls java.nio.file.Files.exists at GetLr.java"), card);
        assertTrue(card.contains("does not compile: exercises/SftMask.java"), card);
        String benCard = Files.readString(out.resolve("ben.txt"));
        assertTrue(benCard.contains("does not let an exercise exitVM") || benCard.contains("it calls java.lang.System.exit"),
                benCard);
    }
}

package gptkit.grading;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * -Dlang=zh: the whole report card in Chinese (title, columns, totals, FAILED, the checks' titles, the grader's own
 * messages and Expect's value lines), not the hints only.
 */
@ExtendWith(RestoresLang.class)
class ReportCardZhTest {
    @Test
    void theCardIsChineseUnderLangZh() {
        Assumptions.assumeTrue(Selection.selfTests() && Selection.exercises().isEmpty(),
                "the grader's self-tests run with ./mvnw test and -Dgrade=solutions|all");
        Exercise<?> ex = Catalog.byId("get_lr");
        Runnable rows = () -> {
            ReportCard.record(Target.EXERCISES, ex, ex.checks().get(0),
                    Outcome.failed("did not finish within 10.0 s: an endless loop?"));
            ReportCard.record(Target.EXERCISES, ex, ex.checks().get(1), Outcome.NOT_ATTEMPTED);
            ReportCard.record(Target.EXERCISES, ex, ex.checks().get(2), Outcome.failed(valueLine()));
        };
        System.setProperty("lang", "zh"); // RestoresLang puts the run's value back
        String zh = ReportCard.textOf(rows);
        for (String word : new String[] {"成绩单", "练习", "总分", "未通过 [", "提示：", "没有在 10.0 秒内完成：死循环？",
            "项尚未尝试）", "输入的抽取种子", Hints.checks().get(ex.checks().get(0).name()),
            Hints.checks().get(ex.checks().get(2).name()), "lr(1) 是 0.00060000000000599990（与期望值相差 6.00e-15），"
                    + "期望 0.00060000000000000000（容差：绝对 0 + 相对 1e-12）"}) {
            assertTrue(zh.contains(word), word + " missing from:\n" + zh);
        }
        for (String word : new String[] {"report card", "FAILED", "total", "hint:", "did not finish", "not attempted",
            ex.checks().get(0).name(), "expected", "tolerance"}) {
            assertFalse(zh.contains(word), word + " left in English:\n" + zh);
        }
        System.setProperty("lang", "en");
        String en = ReportCard.textOf(rows);
        assertTrue(en.contains("FAILED [") && en.contains("report card") && en.contains("did not finish")
                && en.contains(ex.checks().get(0).name()) && en.contains("from the expected value), expected "), en);
    }

    /** A value line as Expect.near writes it: the two values read the same in 9 digits, so all 17 and the difference. */
    private static String valueLine() {
        try {
            Expect.near("lr(1)", 0.0006, 0.0006 + 6e-15, 1e-12, 0);
        } catch (AssertionError e) {
            return e.getMessage();
        }
        throw new AssertionError("Expect.near passed a value 6e-15 off with a tolerance of 1e-12 relative");
    }
}

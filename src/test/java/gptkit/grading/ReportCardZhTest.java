package gptkit.grading;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -Dlang=zh: the whole report card in Chinese (title, columns, totals, FAILED, the grader's own messages), not the hints only. */
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
        };
        String before = System.getProperty("lang");
        System.setProperty("lang", "zh");
        String zh;
        try {
            zh = ReportCard.textOf(rows);
        } finally {
            if (before == null) {
                System.clearProperty("lang");
            } else {
                System.setProperty("lang", before);
            }
        }
        for (String word : new String[] {"成绩单", "练习", "总分", "未通过 [", "提示：", "没有在 10.0 秒内完成：死循环？",
            "项尚未尝试）", "输入的抽取种子"}) {
            assertTrue(zh.contains(word), word + " missing from:\n" + zh);
        }
        for (String word : new String[] {"report card", "FAILED", "total", "hint:", "did not finish", "not attempted"}) {
            assertFalse(zh.contains(word), word + " left in English:\n" + zh);
        }
        String en = ReportCard.textOf(rows);
        assertTrue(en.contains("FAILED [") && en.contains("report card") && en.contains("did not finish"), en);
    }
}

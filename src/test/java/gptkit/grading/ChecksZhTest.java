package gptkit.grading;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every check's title has its Chinese (checks_zh.tsv), and the zh card shows it; English stays the default. */
@ExtendWith(RestoresLang.class)
class ChecksZhTest {
    static Set<String> titles() {
        Set<String> t = new LinkedHashSet<>();
        Catalog.ALL.forEach(ex -> ex.checks().forEach(c -> t.add(c.name())));
        return t;
    }

    @Test
    void everyCheckTitleHasChinese() throws Exception {
        HintsZhTest.requireChinese("check titles", titles(), Hints.checks().keySet(), "checks_zh-missing.tsv",
                Hints.CHECKS);
        for (String title : titles()) {
            String zh = Hints.checks().get(title);
            assertTrue(zh.codePoints().anyMatch(ch -> ch >= 0x4e00 && ch <= 0x9fff), "no Chinese in: " + zh);
        }
    }

    /** A title in the table that no check has any more is a stale line: the check was renamed. */
    @Test
    void noStaleTitles() {
        Set<String> stale = new LinkedHashSet<>(Hints.checks().keySet());
        stale.removeAll(titles());
        assertEquals(Set.of(), stale, "lines of src/test/resources" + Hints.CHECKS + " that no check has");
    }

    @Test
    void chineseOnlyWhenAsked() {
        String first = titles().iterator().next();
        System.setProperty("lang", "en");
        assertEquals(first, Hints.title(first));
        System.setProperty("lang", "zh");
        assertEquals(Hints.checks().get(first), Hints.title(first));
        assertEquals("a check nobody has", Hints.title("a check nobody has"));
    }
}

package gptkit.grading;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every hint of the report card and every known mistake has its Chinese; English stays the default. */
@ExtendWith(RestoresLang.class)
class HintsZhTest {
    static Set<String> texts() {
        Set<String> t = new LinkedHashSet<>();
        for (Exercise<?> ex : Catalog.ALL) {
            ex.checks().forEach(c -> t.add(c.hint()));
            ex.mistakes().forEach(m -> t.add(m.what()));
        }
        return t;
    }

    @Test
    void everyHintAndMistakeHasChinese() throws Exception {
        requireChinese("hints", texts(), Hints.table().keySet(), "hints_zh-missing.tsv", Hints.TABLE);
    }

    /**
     * Every English text of english has a line in table (the Chinese of resource); the missing ones
     * are listed in target/missingFile, one per line, ready to translate.
     */
    static void requireChinese(String what, Set<String> english, Set<String> table, String missingFile,
                               String resource) throws java.io.IOException {
        Set<String> missing = new LinkedHashSet<>(english);
        missing.removeAll(table);
        if (!missing.isEmpty()) { // the English to translate, one per line, for whoever adds them
            StringBuilder b = new StringBuilder();
            missing.forEach(m -> b.append(m.replace("\n", "\\n")).append("\t\n"));
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", missingFile), b, StandardCharsets.UTF_8);
        }
        assertEquals(Set.of(), missing, what + " without Chinese (listed in target/" + missingFile + "): add them to "
                + "src/test/resources" + resource);
    }

    @Test
    void chineseOnlyWhenAsked() {
        Check<Object> c = Check.of("a check", 1, "the hint", x -> {});
        Outcome o = Outcome.failed("wrong").withKnownMistake("the mistake");
        System.setProperty("lang", "en");
        assertEquals("this is a known mistake: the mistake. the hint", o.hint(c));
        System.setProperty("lang", "zh");
        String first = texts().iterator().next();
        Check<Object> real = Check.of("a check", 1, first, x -> {});
        assertTrue(Outcome.failed("wrong").hint(real).codePoints().anyMatch(ch -> ch >= 0x4e00 && ch <= 0x9fff),
                "a Chinese hint for: " + first);
        assertTrue(o.hint(c).startsWith("这是一个已知的错误："));
    }
}

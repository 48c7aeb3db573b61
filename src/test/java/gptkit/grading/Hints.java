package gptkit.grading;

import gptkit.i18n.I18n;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The report card's hints in the student's language: English by default; Chinese with
 * {@code -Dlang=zh} (or {@code -Dgptkit.lang=zh}, {@code GPTKIT_LANG=zh}, or a zh locale such as
 * LANG=zh_CN.UTF-8). The Chinese of each check's hint and each known mistake is in
 * {@code hints_zh.tsv} beside this class ("English TAB 中文"); HintsZhTest fails on one missing.
 */
final class Hints {
    private Hints() {}

    static final String TABLE = "/gptkit/grading/hints_zh.tsv";
    /** The checks' titles in Chinese, the same format, keyed by Check.name(); ChecksZhTest fails on one missing. */
    static final String CHECKS = "/gptkit/grading/checks_zh.tsv";
    private static Map<String, String> zh;
    private static Map<String, String> checksZh;

    static boolean chinese() {
        String v = I18n.fromSettings(System.getProperty("lang"), System.getProperty("gptkit.lang"),
                System.getenv("GPTKIT_LANG"));
        if (v != null) {
            return v.equals("zh");
        }
        String locale = System.getenv("LC_ALL") != null ? System.getenv("LC_ALL") : System.getenv("LANG");
        return locale != null && locale.startsWith("zh");
    }

    /** The text in the report card's language (English when no Chinese is known for it). */
    static String of(String english) {
        return chinese() ? table().getOrDefault(english, english) : english;
    }

    static String knownMistake(String what) {
        return chinese() ? "这是一个已知的错误：" + of(what) + "。" : "this is a known mistake: " + what + ". ";
    }

    /** Known mistakes that fit this failure but not for certain: "possibly", never "this is". */
    static String possibleMistakes(java.util.List<String> whats) {
        if (chinese()) {
            return "可能是这个已知的错误（这一项检查的输出相同，但不能确定）：" + String.join("；或者 ",
                    whats.stream().map(Hints::of).toList()) + "。";
        }
        return "possibly a known mistake (the same output on this check, but not for certain): "
                + String.join("; or ", whats) + ". ";
    }

    /** A check's title in the report card's language (checks_zh.tsv; English when none is known). */
    static String title(String english) {
        return chinese() ? checks().getOrDefault(english, english) : english;
    }

    static synchronized Map<String, String> table() {
        if (zh == null) {
            zh = load(TABLE);
        }
        return zh;
    }

    static synchronized Map<String, String> checks() {
        if (checksZh == null) {
            checksZh = load(CHECKS);
        }
        return checksZh;
    }

    /** One 'English TAB 中文' table of the classpath, \n for a line break (an absent table is empty). */
    static Map<String, String> load(String resource) {
        Map<String, String> t = new LinkedHashMap<>();
        try (InputStream in = Hints.class.getResourceAsStream(resource)) {
            if (in != null) {
                for (String[] kv : I18n.pairs(in, "src/test/resources" + resource)) {
                    t.put(kv[0].replace("\\n", "\n"), kv[1].replace("\\n", "\n"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }
}

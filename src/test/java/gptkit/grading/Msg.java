package gptkit.grading;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A check's failure message written as a template: {@code Msg.of("model.loss(\"%s\") was called %d
 * times", s, n)}. It returns the English (what grades.json, grades.md and the known-mistake matching
 * see); under -Dlang=zh it also notes the Chinese of that very text, from messages_zh.tsv
 * ("English template TAB Chinese template", the same placeholders, numbered ones like %2$s allowed
 * to reorder), so the report card can show it (ReportCard.message). An argument that is itself a
 * message made here is shown in Chinese inside the Chinese one. MessagesZhTest fails on a template of
 * the grader without its line, or with other placeholders.
 */
public final class Msg {
    private Msg() {}

    static final String TABLE = "/gptkit/grading/messages_zh.tsv";
    private static Map<String, String> templates;
    // English text made by of() under zh -> its Chinese; only what failed is ever looked up
    private static final Map<String, String> MADE = new ConcurrentHashMap<>();

    public static String of(String template, Object... args) {
        String english = String.format(Locale.ROOT, template, args);
        if (Hints.chinese()) {
            String zh = table().get(template);
            if (zh != null) {
                Object[] shown = args.clone();
                for (int i = 0; i < shown.length; i++) {
                    // a text of() made, or an object whose toString() is one (a test case's description)
                    if (shown[i] != null && !(shown[i] instanceof Number || shown[i] instanceof Boolean)) {
                        String made = MADE.get(String.valueOf(shown[i]));
                        shown[i] = made != null ? made : shown[i];
                    }
                }
                String chinese = String.format(Locale.ROOT, zh, shown);
                if (!chinese.equals(english)) {
                    MADE.put(english, chinese);
                }
            }
        }
        return english;
    }

    /** made (a text of() made) with regex replaced, in English and in its Chinese alike. */
    public static String edit(String made, String regex, String replacement) {
        String english = made.replaceAll(regex, replacement);
        String zh = MADE.get(made);
        if (zh != null) {
            MADE.put(english, zh.replaceAll(regex, replacement));
        }
        return english;
    }

    /** The Chinese of a text of() made, or null when it made none (another text, or not under zh). */
    static String chinese(String english) {
        return MADE.get(english);
    }

    static synchronized Map<String, String> table() {
        if (templates == null) {
            templates = Hints.load(TABLE);
        }
        return templates;
    }
}

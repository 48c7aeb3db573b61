package gptkit.i18n;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The language of what the kit draws and reports: "zh" or "en". The notebooks' code is the same
 * in both editions, so the language comes from outside the code: the system property
 * {@code gptkit.lang}, else the environment variable {@code GPTKIT_LANG}, else "zh" when the JVM
 * runs in a folder named {@code zh} (Jupyter starts a notebook's kernel in the notebook's folder,
 * and the Chinese notebooks are in notebooks/zh/), else English.
 *
 * <p>{@link #chart} translates a chart's English label through one table,
 * {@code gptkit/i18n/charts_zh.tsv} (UTF-8, "English TAB 中文" per line; {} stands for a part
 * that differs from run to run, e.g. "peak lr 1e-2, warmup {}"). A label the table lacks stays
 * English and is reported once on standard error, so a run of a Chinese notebook shows it.
 */
public final class I18n {
    private static final String TABLE = "/gptkit/i18n/charts_zh.tsv";
    private static volatile Table table;
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private I18n() {}

    public static String lang() {
        String v = fromSettings(System.getProperty("gptkit.lang"), System.getenv("GPTKIT_LANG"));
        if (v != null) {
            return v;
        }
        Path cwd = Path.of("").toAbsolutePath().getFileName();
        return cwd != null && cwd.toString().equals("zh") ? "zh" : "en";
    }

    /**
     * "zh" or "en" as the first of these settings that is set says (a value starting with "zh" is
     * Chinese, any other English); null when none is set.
     */
    public static String fromSettings(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim().toLowerCase().startsWith("zh") ? "zh" : "en";
            }
        }
        return null;
    }

    /**
     * The pairs of a translation table ("English TAB 中文" per line, UTF-8; blank lines and lines
     * starting with # skipped). name is the file as a message names it.
     */
    public static List<String[]> pairs(InputStream in, String name) throws IOException {
        List<String[]> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split("\t", -1);
            if (kv.length != 2) {
                throw new IllegalStateException(name + " line " + n + ": expected 'English<TAB>中文', got \"" + line + "\"");
            }
            out.add(kv);
        }
        return out;
    }

    public static boolean zh() {
        return lang().equals("zh");
    }

    /** The label in the current language: itself in English, its Chinese from the table in zh. */
    public static String chart(String english) {
        if (english == null || english.isEmpty() || !zh() || hasCjk(english)) {
            return english;
        }
        String zh = table().translate(english);
        if (zh == null) {
            if (REPORTED.add(english)) {
                System.err.println("gptkit.i18n.I18n: no Chinese for the chart label \"" + english
                        + "\": add a line to src/main/resources" + TABLE);
            }
            return english;
        }
        return zh;
    }

    /** The labels the table lacks that {@link #chart} was asked for in this JVM (for tests). */
    public static Set<String> untranslated() {
        return Set.copyOf(REPORTED);
    }

    static boolean hasCjk(String s) {
        return s.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }

    private static Table table() {
        Table t = table;
        if (t == null) {
            t = Table.load(TABLE);
            table = t;
        }
        return t;
    }

    /** Exact labels, and templates whose {} match any text (translated in turn where it can be). */
    static final class Table {
        final Map<String, String> exact = new LinkedHashMap<>();
        final Map<Pattern, String> templates = new LinkedHashMap<>();

        static Table load(String resource) {
            Table t = new Table();
            try (InputStream in = I18n.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the class path: rebuild the kit");
                }
                for (String[] kv : pairs(in, resource)) {
                    t.put(kv[0], kv[1]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return t;
        }

        void put(String en, String zh) {
            if (!en.contains("{}")) {
                exact.put(en, zh);
                return;
            }
            StringBuilder re = new StringBuilder();
            String[] pieces = en.split("\\{\\}", -1);
            for (int i = 0; i < pieces.length; i++) {
                re.append(i > 0 ? "(.+?)" : "").append(Pattern.quote(pieces[i]));
            }
            templates.put(Pattern.compile(re.toString()), zh);
        }

        String translate(String en) {
            String zh = exact.get(en);
            if (zh != null) {
                return zh;
            }
            for (Map.Entry<Pattern, String> t : templates.entrySet()) {
                Matcher m = t.getKey().matcher(en);
                if (m.matches()) {
                    StringBuilder out = new StringBuilder();
                    String[] pieces = t.getValue().split("\\{\\}", -1);
                    for (int i = 0; i < pieces.length; i++) {
                        out.append(pieces[i]);
                        if (i < m.groupCount() && i < pieces.length - 1) {
                            String part = m.group(i + 1); // e.g. a notebook's own chart title
                            String inner = translate(part);
                            out.append(inner != null ? inner : part);
                        }
                    }
                    return out.toString();
                }
            }
            return null;
        }
    }
}

package gptkit.grading;

import com.google.gson.GsonBuilder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects every graded check of the run and, when JUnit is done with all test classes, prints
 * the report card and writes target/grades.json and target/grades.md. Test classes register it
 * with @ExtendWith(ReportCard.class).
 */
public final class ReportCard implements BeforeAllCallback {
    private record Row(Check<?> check, Outcome outcome) {}

    private static final Map<Target, Map<Exercise<?>, List<Row>>> RESULTS = new EnumMap<>(Target.class);

    static synchronized void record(Target t, Exercise<?> ex, Check<?> c, Outcome o) {
        RESULTS.computeIfAbsent(t, k -> new LinkedHashMap<>()).computeIfAbsent(ex, k -> new ArrayList<>())
                .add(new Row(c, o));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // the root context closes its store after the last test class: print then
        context.getRoot().getStore(ExtensionContext.Namespace.create(ReportCard.class))
                .getOrComputeIfAbsent("card", k -> (ExtensionContext.Store.CloseableResource) ReportCard::finish);
    }

    static synchronized void finish() {
        if (RESULTS.isEmpty()) {
            return;
        }
        String card = text();
        System.out.println(card);
        Path dir = Path.of(System.getProperty("basedir", "."), "target");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("grades.json"), json(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("grades.md"), markdown(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RESULTS.clear();
    }

    private static int earned(List<Row> rows) {
        return rows.stream().filter(r -> r.outcome().passed()).mapToInt(r -> r.check().points()).sum();
    }

    private static int max(List<Row> rows) {
        return rows.stream().mapToInt(r -> r.check().points()).sum();
    }

    /** "10/10", "not attempted", or "6/10 (2 checks not attempted)". */
    private static String status(List<Row> rows) {
        if (rows == null) {
            return "-";
        }
        long todo = rows.stream().filter(r -> r.outcome().status() == Outcome.Status.NOT_ATTEMPTED).count();
        if (todo == rows.size()) {
            return "not attempted";
        }
        return earned(rows) + "/" + max(rows) + (todo > 0 ? " (" + todo + " not attempted)" : "");
    }

    /** One target's results in the catalog's order (the summary's), not the order JUnit ran them. */
    private static List<Map.Entry<Exercise<?>, List<Row>>> inOrder(Target t) {
        Map<Exercise<?>, List<Row>> m = RESULTS.get(t);
        List<Map.Entry<Exercise<?>, List<Row>>> out = new ArrayList<>();
        for (Exercise<?> e : Catalog.ALL) {
            if (m.containsKey(e)) {
                out.add(Map.entry(e, m.get(e)));
            }
        }
        return out;
    }

    private static List<Exercise<?>> graded() {
        return Catalog.ALL.stream().filter(e -> RESULTS.values().stream().anyMatch(m -> m.containsKey(e))).toList();
    }

    /** The card's own words in the student's language (-Dlang=zh); the json and md stay English. */
    private static String tr(String english, String chinese) {
        return Hints.chinese() ? chinese : english;
    }

    /** s padded to w terminal columns: a Chinese character takes two. */
    private static String pad(String s, int w) {
        int cols = s.codePoints().map(c -> c >= 0x2E80 ? 2 : 1).sum();
        return s + " ".repeat(Math.max(0, w - cols));
    }

    /** status() on the card: Chinese under -Dlang=zh. */
    private static String shown(List<Row> rows) {
        String s = status(rows);
        return !Hints.chinese() ? s : s.replace(" (", "（").replaceAll(" not attempted\\)", " 项尚未尝试）")
                .replace("not attempted", "尚未尝试");
    }

    /**
     * The grader's own messages, the checks' messages (Msg) and the value lines of Expect (near, rejects)
     * and of the checks' common "X is A, expected B" in Chinese under -Dlang=zh; the values stay as they
     * are, and the thing checked (X) is shown in Chinese when Msg made it.
     */
    static String message(String m) {
        if (!Hints.chinese()) {
            return m;
        }
        String whole = Msg.chinese(m);
        if (whole != null) {
            return whole.replaceAll(" ?\\((\\S+) from the expected value\\)", "（与期望值相差 $1）");
        }
        String s = m.replaceAll(" ?\\((\\S+) from the expected value\\)", "（与期望值相差 $1）");
        for (String[] line : VALUE_LINES) {
            java.util.regex.Matcher v = java.util.regex.Pattern.compile(line[0]).matcher(s);
            if (v.matches()) {
                String zh = line[1];
                for (int g = v.groupCount(); g >= 1; g--) { // $1 is what was checked: its Chinese when Msg made it
                    String value = g == 1 && Msg.chinese(v.group(1)) != null ? Msg.chinese(v.group(1)) : v.group(g);
                    zh = zh.replace("$" + g, value);
                }
                return zh;
            }
        }
        return s.replaceFirst("^does not compile: ", "编译不通过：")
                .replaceFirst("^threw ", "抛出了 ")
                .replaceFirst(" is missing: copy it back from the kit$", " 缺失：从套件中把它复制回来");
    }

    /** Whole-line patterns of Expect and the grader, and their Chinese ($1 is the thing checked). */
    private static final String[][] VALUE_LINES = {
            {"^(.+?) is (.+), expected (.+) \\(tolerance (\\S+) \\+ (\\S+) relative\\)$", "$1 是 $2，期望 $3（容差：绝对 $4 + 相对 $5）"},
            {"^(.+?) is (.+), expected (.+)$", "$1 是 $2，期望 $3"},
            {"^(.+) has no values, expected (\\S+)$", "$1 没有值，期望 $2 个"},
            {"^(.+) has (\\S+) values, expected (\\S+)$", "$1 有 $2 个值，期望 $3 个"},
            {"^(.+) threw (.+) instead of an IllegalArgumentException$", "$1 抛出了 $2，而不是 IllegalArgumentException"},
            {"^(.+) was accepted; it must throw an IllegalArgumentException$", "$1 被接受了；它必须抛出 IllegalArgumentException"},
            {"^did not finish within (\\S+) s: an endless loop\\?$", "没有在 $1 秒内完成：死循环？"},
            {"^not run: an earlier check of this exercise never returned \\(an endless loop\\?\\)$",
                    "未运行：这个练习前面的一项检查一直没有返回（死循环？）"},
    };

    static String text() {
        StringBuilder b = new StringBuilder();
        String rule = "-".repeat(86);
        List<Target> targets = new ArrayList<>(RESULTS.keySet());
        b.append('\n').append(rule).append('\n').append(tr(" gptkit exercises: report card", " gptkit 练习：成绩单"))
                .append('\n').append(rule).append('\n');
        b.append(' ').append(pad(tr("exercise", "练习"), 18)).append(' ').append(pad(tr("nb", "笔记本"), 3)).append(' ')
                .append(pad(tr("file", "文件"), 33));
        targets.forEach(t -> b.append(' ').append(pad(t.label, 15)));
        b.append('\n');
        for (Exercise<?> ex : graded()) {
            b.append(String.format(" %-18s %-3s %-33s", ex.id(), ex.notebook(), ex.path(Target.EXERCISES)));
            targets.forEach(t -> b.append(' ').append(pad(shown(RESULTS.get(t).get(ex)), 15)));
            b.append('\n');
        }
        b.append(' ').append(pad(tr("total", "总分"), 56));
        for (Target t : targets) {
            List<Row> all = RESULTS.get(t).values().stream().flatMap(List::stream).toList();
            b.append(String.format(" %-15s", earned(all) + "/" + max(all)));
        }
        b.append('\n');
        for (Target t : targets) {
            for (Map.Entry<Exercise<?>, List<Row>> e : inOrder(t)) {
                List<Row> failed = e.getValue().stream()
                        .filter(r -> r.outcome().status() == Outcome.Status.FAILED).toList();
                if (failed.isEmpty()) {
                    continue;
                }
                b.append(rule).append('\n').append(String.format(" %s (%s): %s%n", e.getKey().path(t),
                        e.getKey().id(), shown(e.getValue())));
                for (Row r : failed) {
                    b.append(String.format(tr("   FAILED [%d pt] %s%n      %s%n      hint: %s%n",
                                    "   未通过 [%d 分] %s%n      %s%n      提示：%s%n"), r.check().points(),
                            Hints.title(r.check().name()), message(r.outcome().message()).replace("\n", "\n      "),
                            r.outcome().hint(r.check())));
                }
            }
        }
        b.append(rule).append('\n');
        b.append(tr(" One exercise: ./mvnw test -Dexercise=<id>    Only exercises/: ./mvnw test -Dgrade=exercises\n",
                " 一个练习：./mvnw test -Dexercise=<id>    只评 exercises/：./mvnw test -Dgrade=exercises\n"));
        b.append(tr(" Details: target/grades.md, target/grades.json. Inputs were drawn with -Dgrading.seed=",
                " 详情：target/grades.md、target/grades.json。输入的抽取种子：-Dgrading.seed=") + Grader.SEED
                + "\n").append(rule);
        return b.toString();
    }

    /** The card of these recordings alone, the run's own results set aside meanwhile (ReportCardZhTest). */
    static synchronized String textOf(Runnable recordings) {
        Map<Target, Map<Exercise<?>, List<Row>>> saved = new EnumMap<>(RESULTS);
        RESULTS.clear();
        try {
            recordings.run();
            return text();
        } finally {
            RESULTS.clear();
            RESULTS.putAll(saved);
        }
    }

    static String markdown() {
        StringBuilder b = new StringBuilder("# Grades\n\nInputs drawn with -Dgrading.seed=" + Grader.SEED
                + "\n\n| exercise | notebook | file |");
        List<Target> targets = new ArrayList<>(RESULTS.keySet());
        targets.forEach(t -> b.append(' ').append(t.label).append(" |"));
        b.append("\n|---|---|---|").append("---|".repeat(targets.size())).append('\n');
        for (Exercise<?> ex : graded()) {
            b.append(String.format("| %s | %s | `%s` |", ex.id(), ex.notebook(), ex.path(Target.EXERCISES)));
            targets.forEach(t -> b.append(' ').append(status(RESULTS.get(t).get(ex))).append(" |"));
            b.append('\n');
        }
        for (Target t : targets) {
            for (Map.Entry<Exercise<?>, List<Row>> e : inOrder(t)) {
                b.append(String.format("%n## %s: %s%n%n", e.getKey().path(t), status(e.getValue())));
                for (Row r : e.getValue()) {
                    String mark = switch (r.outcome().status()) {
                        case PASSED -> "passed";
                        case FAILED -> "**failed**";
                        case NOT_ATTEMPTED -> "not attempted";
                    };
                    b.append(String.format("- %s, %d pt: %s%n", mark, r.check().points(), r.check().name()));
                    if (r.outcome().status() == Outcome.Status.FAILED) {
                        b.append(String.format("  - %s%n  - hint: %s%n", r.outcome().message(), r.outcome().hint(r.check())));
                    }
                }
            }
        }
        return b.toString();
    }

    static String json() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Target t : RESULTS.keySet()) {
            List<Object> exs = new ArrayList<>();
            List<Row> all = new ArrayList<>();
            for (Map.Entry<Exercise<?>, List<Row>> e : inOrder(t)) {
                Exercise<?> ex = e.getKey();
                List<Object> checks = new ArrayList<>();
                for (Row r : e.getValue()) {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("name", r.check().name());
                    c.put("points", r.check().points());
                    c.put("earned", r.outcome().passed() ? r.check().points() : 0);
                    c.put("status", r.outcome().status().name().toLowerCase());
                    if (r.outcome().status() == Outcome.Status.FAILED) {
                        c.put("message", r.outcome().message());
                        c.put("hint", r.outcome().hint(r.check()));
                    }
                    checks.add(c);
                }
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("id", ex.id());
                x.put("notebook", ex.notebook());
                x.put("file", ex.path(t));
                x.put("test", ex.testClass());
                x.put("points", earned(e.getValue()));
                x.put("max", max(e.getValue()));
                x.put("status", status(e.getValue()));
                x.put("checks", checks);
                exs.add(x);
                all.addAll(e.getValue());
            }
            Map<String, Object> tt = new LinkedHashMap<>();
            tt.put("points", earned(all));
            tt.put("max", max(all));
            tt.put("exercises", exs);
            out.put(t.label, tt);
        }
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(out);
    }
}

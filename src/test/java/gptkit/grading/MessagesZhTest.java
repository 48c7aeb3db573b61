package gptkit.grading;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.expr.BinaryExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.ObjectCreationExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every failure message of the grader is a Msg template with its Chinese in messages_zh.tsv, with the
 * same placeholders; found by parsing the grader's sources (src/test/java/gptkit/grading), so a
 * template only a rare failure reaches is checked too.
 */
@ExtendWith(RestoresLang.class)
class MessagesZhTest {
    static final Path SOURCES = Path.of("src/test/java/gptkit/grading");
    static List<CompilationUnit> sources() throws IOException {
        StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17);
        List<CompilationUnit> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            // this test's own example call is not a message of the grader
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("MessagesZhTest.java"))
                    .sorted().toList()) {
                CompilationUnit cu = StaticJavaParser.parse(f);
                cu.setStorage(f);
                out.add(cu);
            }
        }
        return out;
    }

    static boolean isMsg(Node n) {
        return n instanceof MethodCallExpr m && m.getNameAsString().equals("of")
                && m.getScope().map(s -> s.toString().equals("Msg")).orElse(false);
    }

    /** The template of Msg.of(template, ...): a literal, or literals joined by +. */
    static String literal(Expression e) {
        if (e instanceof StringLiteralExpr s) {
            return s.asString();
        }
        if (e instanceof BinaryExpr b && b.getOperator() == BinaryExpr.Operator.PLUS) {
            String l = literal(b.getLeft()), r = literal(b.getRight());
            return l == null || r == null ? null : l + r;
        }
        return null;
    }

    static String where(Node n) {
        return n.findCompilationUnit().flatMap(CompilationUnit::getStorage).map(s -> s.getFileName().toString())
                .orElse("?") + ":" + n.getBegin().map(p -> p.line).orElse(0);
    }

    /** Every template of Msg.of in the grader's sources, with where it is. */
    static Map<String, String> templates() throws IOException {
        Map<String, String> t = new LinkedHashMap<>();
        for (CompilationUnit cu : sources()) {
            for (MethodCallExpr m : cu.findAll(MethodCallExpr.class, MessagesZhTest::isMsg)) {
                String s = m.getArguments().isEmpty() ? null : literal(m.getArgument(0));
                if (s == null) {
                    throw new AssertionError(where(m) + ": Msg.of's template must be a string literal (or literals "
                            + "joined by +), so that this test can find it; got " + m);
                }
                t.putIfAbsent(s, where(m));
            }
        }
        return t;
    }

    /** A failure message written as prose outside Msg.of: the argument of that/near/rejects/new AssertionError. */
    static List<String> proseOutsideMsg() throws IOException {
        List<String> out = new ArrayList<>();
        for (CompilationUnit cu : sources()) {
            if (!cu.getStorage().map(s -> s.getFileName().toString().endsWith("ExerciseTest.java")).orElse(false)) {
                continue;
            }
            List<Expression> messages = new ArrayList<>();
            cu.findAll(MethodCallExpr.class).forEach(m -> {
                String n = m.getNameAsString();
                if (n.equals("that") && m.getArguments().size() == 2) {
                    messages.add(m.getArgument(1));
                } else if ((n.equals("near") || n.equals("rejects")) && m.getArguments().size() >= 2) {
                    messages.add(m.getArgument(0));
                }
            });
            cu.findAll(ObjectCreationExpr.class, o -> o.getType().getNameAsString().equals("AssertionError"))
                    .forEach(o -> messages.addAll(o.getArguments()));
            for (Expression e : messages) {
                for (StringLiteralExpr s : e.findAll(StringLiteralExpr.class)) {
                    // in a template: fine; in an argument of Msg.of (a ? "no" : "a few") it is prose again
                    boolean inMsg = s.findAncestor(MethodCallExpr.class, MessagesZhTest::isMsg)
                            .map(m -> m.getArgument(0) == s || m.getArgument(0).isAncestorOf(s)).orElse(false);
                    // an argument of a call (count("train")) is code, not text
                    boolean code = s.getParentNode().filter(p -> p instanceof MethodCallExpr && !isMsg(p)
                            || p instanceof ObjectCreationExpr).isPresent();
                    if (!inMsg && !code && !s.asString().equals("null") && s.asString().matches(".*[A-Za-z]{2,}.*")) {
                        out.add(where(s) + ": \"" + s.asString() + "\"");
                    }
                }
            }
        }
        return out;
    }

    private static final Pattern SPEC = Pattern.compile("%(\\d+\\$)?([-#+ 0,(]*\\d*(?:\\.\\d+)?[a-zA-Z%])");

    /** The placeholders of a template as "argument number: conversion", %% and %n left out. */
    static Set<String> placeholders(String template) {
        Set<String> out = new TreeSet<>();
        Matcher m = SPEC.matcher(template);
        int next = 1;
        while (m.find()) {
            if (m.group(2).equals("%") || m.group(2).equals("n")) {
                continue;
            }
            int arg = m.group(1) != null ? Integer.parseInt(m.group(1).replace("$", "")) : next++;
            out.add(arg + ": %" + m.group(2));
        }
        return out;
    }

    @Test
    void everyTemplateHasChinese() throws IOException {
        HintsZhTest.requireChinese("failure messages", templates().keySet(), Msg.table().keySet(),
                "messages_zh-missing.tsv", Msg.TABLE);
    }

    @Test
    void theSamePlaceholders() {
        List<String> bad = new ArrayList<>();
        Msg.table().forEach((en, zh) -> {
            if (!placeholders(en).equals(placeholders(zh))) {
                bad.add(en.replace("\n", "\\n") + "  ->  " + placeholders(en) + " but the Chinese has " + placeholders(zh));
            }
        });
        assertEquals(List.of(), bad, "lines of src/test/resources" + Msg.TABLE + " whose Chinese has other "
                + "placeholders than the English (use %2$s to reorder)");
    }

    @Test
    void noStaleTemplates() throws IOException {
        Set<String> stale = new LinkedHashSet<>(Msg.table().keySet());
        stale.removeAll(templates().keySet());
        assertEquals(Set.of(), stale, "lines of src/test/resources" + Msg.TABLE + " that no Msg.of has");
    }

    @Test
    void everyFailureMessageIsATemplate() throws IOException {
        assertEquals(List.of(), proseOutsideMsg(), "failure messages written outside Msg.of(...) stay English "
                + "under -Dlang=zh: write them as Msg.of(\"template %s\", args) and translate the template");
    }

    @Test
    void chineseOnlyWhenAsked() {
        String en = "model.loss(\"%s\") was called %s times for %s: each of the eval_iters losses needs its own batch";
        System.setProperty("lang", "en");
        String english = Msg.of(en, "val", 3, "eval_iters 5");
        assertEquals(english, ReportCard.message(english));
        System.setProperty("lang", "zh");
        english = Msg.of(en, "val", 3, "eval_iters 5");
        assertEquals(String.format(Msg.table().get(en), "val", 3, "eval_iters 5"), ReportCard.message(english));
        // a value line of Expect whose thing checked is a message: both in Chinese
        String what = Msg.of("the train entry (%s)", "eval_iters 5");
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> Expect.near(what, 1.0, 2.0, 0, 0));
        String zhWhat = String.format(Msg.table().get("the train entry (%s)"), "eval_iters 5");
        assertEquals(String.format(Msg.table().get("%s is %s, expected %s (tolerance %.1g + %.1g relative)"), zhWhat,
                "2.00000000", "1.00000000", 0.0, 0.0), ReportCard.message(e.getMessage()));
    }
}

package gptkit.grading;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import gptkit.engine.Engines;
import gptkit.Fixtures;
import gptkit.data.LossMask;
import gptkit.data.SftMask;
import gptkit.train.Part;
import gptkit.model.CrossEntropy;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static gptkit.grading.Expect.near;
import static gptkit.grading.Expect.rejects;
import static gptkit.grading.Expect.that;

/**
 * Grades exercises/SftMask.java (sft_mask, notebook 10): the LossMask part of fine-tuning. Rows
 * against MiniMind's SFT dataset run in torch (fixtures/ex_sft_mask.json: x = ids[:-1], y = ids[1:]
 * with -1 off the response, and F.cross_entropy(logits, y, ignore_index=-1) of random logits,
 * which the library's CrossEntropy must give over the student's y, 1e-6), and against the
 * library's gptkit.data.SftMask.mask on examples drawn at grading time. Rows are compared
 * exactly (they are token ids).
 */
@ExtendWith(ReportCard.class)
public class SftMaskExerciseTest {
    /** A fresh student part per call. */
    public interface Api {
        LossMask create();
    }

    /** One example and the row's length and padding id. */
    record Case(String name, int[] prompt, int[] response, int blockSize, int pad) {
        String describe() {
            return Msg.of("%s (prompt of %d tokens, response of %d, block_size %d, pad %d)", name, prompt.length,
                    response.length, blockSize, pad);
        }
    }

    static JsonObject fixtureCase(String name) {
        return Fixtures.load("ex_sft_mask.json").getAsJsonObject(name);
    }

    static int[] ints(JsonElement e) {
        return Arrays.stream(Fixtures.longs(e.getAsJsonArray())).mapToInt(v -> (int) v).toArray();
    }

    static Case fixture(String name) {
        JsonObject o = fixtureCase(name);
        return new Case(Msg.of("the fixture's '%s' example", name), ints(o.get("prompt")), ints(o.get("response")),
                o.get("block_size").getAsInt(), o.get("pad").getAsInt());
    }

    static int[] tokens(Random r, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(65);
        }
        return t;
    }

    /** An example drawn for this run: the lengths given, tokens and pad from a vocabulary of 65. */
    static Case drawn(String name, int promptLen, int responseLen, int blockSize) {
        Random r = Grader.random();
        return new Case(name, tokens(r, promptLen), tokens(r, responseLen), blockSize, r.nextInt(65));
    }

    /** Any example: prompt 1..12, response 1..30, block 1..32; as often cut or padded as neither. */
    static Case drawn() {
        Random r = Grader.random();
        return drawn(Msg.of("a drawn example"), 1 + r.nextInt(12), 1 + r.nextInt(30), 1 + r.nextInt(32));
    }

    /** The student's row, its two arrays present and of block_size each. */
    static LossMask.Row run(LossMask part, Case c) {
        LossMask.Row row = part.mask(c.prompt().clone(), c.response().clone(), c.blockSize(), c.pad());
        that(row != null && row.x() != null && row.y() != null, Msg.of("mask returned no row, or a row without x "
                + "or y, on %s", c.describe()));
        that(row.x().length == c.blockSize() && row.y().length == c.blockSize(), Msg.of("on %s x has %d tokens and "
                + "y %d, expected block_size = %d each", c.describe(), row.x().length, row.y().length, c.blockSize()));
        return row;
    }

    static void same(String what, Case c, long[] want, long[] got) {
        for (int t = 0; t < want.length; t++) {
            if (want[t] != got[t]) {
                throw new AssertionError(Msg.of("%s on %s is %s, expected %s: first difference at t = %d", what,
                        c.describe(), Arrays.toString(got), Arrays.toString(want), t));
            }
        }
    }

    /** The student's row equals the library's, x and y. */
    static LossMask.Row expectLibrary(Api a, Case c) {
        LossMask.Row want = SftMask.mask(c.prompt(), c.response(), c.blockSize(), c.pad());
        LossMask.Row got = run(a.create(), c);
        same("x", c, want.x(), got.x());
        same("y", c, want.y(), got.y());
        return got;
    }

    static long counted(long[] y) {
        return Arrays.stream(y).filter(v -> v != -1).count();
    }

    /** The library's cross-entropy (ignore_index=-1) of (T, V) logits over these targets. */
    static double loss(float[] logits, int vocab, long[] y) {
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            return CrossEntropy.crossEntropy(m.create(logits, new Shape(y.length, vocab)),
                    m.create(y, new Shape(y.length))).getFloat();
        }
    }

    static final String[] FIXTURES = {"padded", "truncated", "exact", "one_token", "prompt_fills_block", "long_prompt"};

    public static final Exercise<Api> EXERCISE = Exercise.of(Part.SFT_MASK, cls -> {
        Bind.Ctor<LossMask> ctor = Bind.part(cls, LossMask.class);
        return () -> ctor.make();
    }, List.of(
            Check.of("x and y are torch's (MiniMind's SFT dataset), and the loss over y is F.cross_entropy's", 3,
                    "cut prompt + response to block_size + 1 tokens, pad to block_size + 1; x = all but the last, "
                            + "y = all but the first, with y = -1 where the target is a prompt token or padding.",
                    a -> {
                        for (String name : FIXTURES) {
                            JsonObject o = fixtureCase(name);
                            Case c = fixture(name);
                            LossMask.Row row = run(a.create(), c);
                            same("x", c, Fixtures.longs(o.getAsJsonArray("x")), row.x());
                            same("y", c, Fixtures.longs(o.getAsJsonArray("y")), row.y());
                            if (!o.get("loss").isJsonNull()) {
                                float[] logits = Fixtures.floats(o.getAsJsonArray("logits"));
                                double got = loss(logits, o.get("vocab").getAsInt(), row.y());
                                near(Msg.of("the cross-entropy over your y on %s", c.describe()), o.get("loss").getAsDouble(),
                                        got, 1e-6, 1e-6);
                                near(Msg.of("the cross-entropy over your y on %s against MiniMind's masked mean",
                                        c.describe()), o.get("masked_mean").getAsDouble(), got, 1e-6, 1e-6);
                            }
                        }
                        expectLibrary(a, drawn());
                    }),
            Check.of("drawn examples give the library's rows", 2,
                    "any prompt, response, block_size and pad: the same rule. Read block_size and pad from the "
                            + "arguments; the example is cut only when it is longer than block_size + 1 tokens.",
                    a -> {
                        for (int k = 0; k < 20; k++) {
                            expectLibrary(a, drawn());
                        }
                    }),
            Check.of("the first response token is a target, the prompt's last target is not", 2,
                    "y[t] is the token after x[t]: y[prompt.length - 1] = response[0] (predicted from the prompt's "
                            + "last token) counts; y[prompt.length - 2] is the prompt's last token and is -1.",
                    a -> {
                        Random r = Grader.random();
                        for (int k = 0; k < 3; k++) {
                            int p = 2 + r.nextInt(8);
                            Case c = drawn(Msg.of("a padded example"), p, 1 + r.nextInt(8), p + 10 + r.nextInt(10));
                            LossMask.Row row = expectLibrary(a, c);
                            that(row.y()[p - 1] == c.response()[0], Msg.of("y[%s] on %s is %s, expected "
                                    + "response[0] = %s", (p - 1), c.describe(), row.y()[p - 1], c.response()[0]));
                        }
                        int p = 2 + r.nextInt(8);
                        expectLibrary(a, drawn(Msg.of("an example whose prompt fills the block"), p, 1 + r.nextInt(5), p));
                        expectLibrary(a, drawn(Msg.of("an example whose prompt is block_size + 1 tokens"), p + 1,
                                1 + r.nextInt(5), p));
                    }),
            Check.of("a response of one token: one target", 1,
                    "a response of one token is still learnt: y[prompt.length - 1] = response[0], every other "
                            + "target -1.",
                    a -> {
                        Random r = Grader.random();
                        for (int k = 0; k < 2; k++) {
                            int p = 1 + r.nextInt(10);
                            Case c = drawn(Msg.of("a one-token response"), p, 1, p + 1 + r.nextInt(10));
                            long n = counted(expectLibrary(a, c).y());
                            that(n == 1, Msg.of("%s: %s targets counted, expected 1", c.describe(), n));
                        }
                    }),
            Check.of("a prompt longer than the block: x is its first block_size tokens, nothing is counted", 1,
                    "the cut keeps the first block_size + 1 tokens, all prompt tokens here: every target is -1 and x "
                            + "holds the prompt's start. Do not drop the prompt to make room for the response.",
                    a -> {
                        Random r = Grader.random();
                        for (int k = 0; k < 2; k++) {
                            int b = 1 + r.nextInt(12);
                            Case c = drawn(Msg.of("a prompt longer than the block"), b + 2 + r.nextInt(6), 1 + r.nextInt(6), b);
                            long n = counted(expectLibrary(a, c).y());
                            that(n == 0, Msg.of("%s: %s targets counted, expected none", c.describe(), n));
                        }
                    }),
            Check.of("a row counts exactly min(response.length, block_size + 1 - prompt.length) targets", 1,
                    "every response token inside the first block_size + 1 tokens is one target, and nothing else: "
                            + "not a prompt token, not padding.",
                    a -> {
                        Random r = Grader.random();
                        for (int k = 0; k < 10; k++) {
                            int p = 1 + r.nextInt(10), b = p + r.nextInt(25);
                            Case c = drawn(k % 2 == 0 ? Msg.of("a drawn example") : Msg.of("a cut example"), p,
                                    k % 2 == 0 ? 1 + r.nextInt(30) : b + 2 - p + r.nextInt(10), b);
                            long want = Math.max(0, Math.min(c.response().length, b + 1 - p));
                            long n = counted(run(a.create(), c).y());
                            that(n == want, Msg.of("%s: %s targets counted, expected %s", c.describe(), n, want));
                        }
                    }),
            Check.of("past the example: x is pad and y is -1", 1,
                    "padding is no text: x[t] = pad where t is at or past the example's length, and its targets, "
                            + "y[t] for t + 1 at or past the length, are -1, never pad.",
                    a -> {
                        Random r = Grader.random();
                        for (int k = 0; k < 3; k++) {
                            int p = 1 + r.nextInt(6), n = 1 + r.nextInt(8);
                            Case c = drawn(Msg.of("a short example"), p, n, p + n + 1 + r.nextInt(10));
                            LossMask.Row row = expectLibrary(a, c);
                            for (int t = p + n - 1; t < c.blockSize(); t++) {
                                that(row.y()[t] == -1, Msg.of("y[%s] on %s is %s: padding's targets must be -1", t,
                                        c.describe(), row.y()[t]));
                            }
                        }
                    }),
            Check.of("an empty prompt or response is an IllegalArgumentException", 1,
                    "an example without a prompt or without a response is a bug of the data: throw new "
                            + "IllegalArgumentException(...) that gives the two lengths, as the library's SftMask does.",
                    a -> {
                        Case c = drawn();
                        rejects(Msg.of("an empty prompt"), () -> a.create().mask(new int[0], c.response(), c.blockSize(), c.pad()));
                        rejects(Msg.of("an empty response"), () -> a.create().mask(c.prompt(), new int[0], c.blockSize(), c.pad()));
                    })),
            new Exercise.Mistake("SftMaskOneTooMany", "the first response token is a target",
                    "the first response target masked too: the model never learns how an answer begins"),
            new Exercise.Mistake("SftMaskOneTooFew", "the first response token is a target",
                    "the prompt's last target counted: the model is trained to write the prompt's last token"),
            new Exercise.Mistake("SftMaskResponse", "x and y are torch's",
                    "the response masked instead of the prompt: it learns the headers, not the answers"),
            new Exercise.Mistake("SftMaskUnshifted", "x and y are torch's",
                    "y[t] = s[t], not s[t + 1]: each position is asked to copy its own input"),
            new Exercise.Mistake("SftMaskPaddingCounted", "past the example",
                    "padding targets are pad, not -1: the loss learns to predict padding"),
            new Exercise.Mistake("SftMaskCutsTheStart", "x and y are torch's",
                    "a long example cut at its start (ids[-(block_size + 1):]): the prompt is lost, not the "
                            + "response's end"),
            new Exercise.Mistake("SftMaskAcceptsEmpty", "an empty prompt or response",
                    "an empty prompt or response accepted: a broken data file trains silently"));

    @TestFactory
    Stream<DynamicNode> grade() {
        return Grader.grade(EXERCISE);
    }
}

package gptkit.songci;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import gptkit.autograd.NoGrad;
import gptkit.config.Footprint;
import gptkit.data.CharTokenizer;
import gptkit.data.GetBatch;
import gptkit.data.LossMask;
import gptkit.data.SftMask;
import gptkit.model.CrossEntropy;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;

import gptkit.sample.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * Does a model follow the instruction "TUNE AUTHOR"? A tune (词牌) fixes its poem's form: the
 * number of characters of each clause, between the marks ，。、？！；. A tune's usual form is
 * its most common sequence of clause lengths in the corpus; a sampled poem follows the
 * instruction when its clause lengths are exactly that sequence.
 */
public final class FormMatch {
    /** The marks that end a clause. */
    public static final String PUNCTUATION = "，。、？！；";

    private FormMatch() {}

    /** A tune's usual form: its clause lengths, how many of the corpus's poems of that tune have it, and its most frequent authors. */
    public record Form(String tune, List<Integer> clauses, int poems, int withForm, List<String> authors) {
        public double share() {
            return (double) withForm / poems;
        }
    }

    /**
     * What a model wrote for one tune: how many of its samples ended, how many have the form
     * exactly, and the mean clause score of the samples (see {@link #clauseScore}).
     */
    public record Result(Form form, int samples, int finished, int matched, double clauseScore, List<String> texts) {
        public double fraction() {
            return (double) matched / samples;
        }
    }

    /**
     * Partial credit, for models too small to write a whole form: the share of clause positions
     * whose length is the form's, over the longer of the two sequences (a missing or an extra
     * clause counts as wrong). 1 exactly when the poem has the form; a sample that did not end
     * (no blank line) scores 0.
     */
    public static double clauseScore(List<Integer> got, List<Integer> form) {
        int n = Math.max(got.size(), form.size());
        int right = 0;
        for (int k = 0; k < Math.min(got.size(), form.size()); k++) {
            if (got.get(k).equals(form.get(k))) {
                right++;
            }
        }
        return n == 0 ? 0 : (double) right / n;
    }

    /** The lengths, in characters, of a poem's clauses (newlines are not characters of a clause). */
    public static List<Integer> clauses(String poem) {
        List<Integer> out = new ArrayList<>();
        int n = 0;
        for (int cp : poem.codePoints().toArray()) {
            if (PUNCTUATION.indexOf(cp) >= 0) {
                if (n > 0) {
                    out.add(n);
                }
                n = 0;
            } else if (cp != '\n') {
                n++;
            }
        }
        if (n > 0) {
            out.add(n); // a poem that does not end with a mark still has its last clause
        }
        return out;
    }

    /**
     * The usual forms of the most frequent tunes whose form is fixed: of the tunes whose most
     * common form is at least minShare of their poems, the {@code tunes} with most poems (ties by
     * name); each with its {@code authors} most frequent authors, anonymous (无名氏) left out.
     */
    public static List<Form> usualForms(List<SongCiSets.Poem> poems, int tunes, double minShare, int authors) {
        Map<String, Map<List<Integer>, Integer>> forms = new HashMap<>();
        Map<String, Map<String, Integer>> byAuthor = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (SongCiSets.Poem p : poems) {
            count.merge(p.tune(), 1, Integer::sum);
            forms.computeIfAbsent(p.tune(), k -> new HashMap<>()).merge(clauses(String.join("\n", p.lines())), 1,
                    Integer::sum);
            if (!p.author().equals("无名氏") && !p.author().isEmpty()) {
                byAuthor.computeIfAbsent(p.tune(), k -> new HashMap<>()).merge(p.author(), 1, Integer::sum);
            }
        }
        List<Form> out = new ArrayList<>();
        count.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> {
                    Map.Entry<List<Integer>, Integer> top = forms.get(e.getKey()).entrySet().stream()
                            .max(Map.Entry.<List<Integer>, Integer>comparingByValue()
                                    .thenComparing(f -> f.getKey().toString(), Comparator.reverseOrder()))
                            .orElseThrow();
                    if (out.size() < tunes && top.getValue() >= minShare * e.getValue()
                            && byAuthor.containsKey(e.getKey())) {
                        List<String> who = byAuthor.get(e.getKey()).entrySet().stream()
                                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                                        .thenComparing(Map.Entry.comparingByKey()))
                                .limit(authors).map(Map.Entry::getKey).toList();
                        out.add(new Form(e.getKey(), List.copyOf(top.getKey()), e.getValue(), top.getValue(), who));
                    }
                });
        return out;
    }

    /**
     * n samples of one tune, prompted "TUNE AUTHOR\n" with its authors in turn (sample i with
     * author i % authors); sample i of a run seeded s draws from its own generator (s, tune, i),
     * so a result repeats exactly.
     */
    public static Result measure(GPT model, CharTokenizer tok, Form form, int n, long seed, int maxNewTokens,
                                 double temperature, int topK) {
        String[] texts = new String[n];
        boolean[] done = new boolean[n];
        int a = form.authors().size();
        for (int k = 0; k < a; k++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = k; i < n; i += a) {
                rows.add(i);
            }
            if (rows.isEmpty()) {
                continue;
            }
            RandomGenerator[] rngs = new RandomGenerator[rows.size()];
            for (int r = 0; r < rngs.length; r++) {
                rngs[r] = new SplittableRandom(seed * 1_000_003L + form.tune().hashCode() * 7919L + rows.get(r));
            }
            Generated g = generate(model, tok, form.tune() + " " + form.authors().get(k) + "\n", maxNewTokens,
                    temperature, topK, rngs);
            for (int r = 0; r < rngs.length; r++) {
                texts[rows.get(r)] = g.texts[r];
                done[rows.get(r)] = g.finished[r];
            }
        }
        int finished = 0, matched = 0;
        double score = 0;
        for (int i = 0; i < n; i++) {
            if (done[i]) {
                finished++;
                score += clauseScore(clauses(texts[i]), form.clauses());
                if (clauses(texts[i]).equals(form.clauses())) {
                    matched++;
                }
            }
        }
        return new Result(form, n, finished, matched, score / n, List.of(texts));
    }

    /**
     * n rows sampled in one batch (finetune --num_samples=N, form-match --num_samples=N): each step's logits,
     * n x vocab floats, come back as one Java array, and the forward pass holds at least n x
     * block_size x (4 n_embd + vocab) floats (the MLP's hidden layer, the logits); refused when
     * that passes the array limit or this machine's memory, with the largest n that fits.
     */
    public static void checkRows(String key, int value, int rows, GPTConfig c) {
        if (value < 1) {
            throw new IllegalArgumentException(key + "=" + value + ": give 1 or more samples");
        }
        long memory = Footprint.physicalMemory();
        IntPredicate fits = r -> (long) r * c.vocab_size() <= Footprint.MAX_TENSOR
                && (memory == 0 || 4.0 * r * c.block_size() * (4.0 * c.n_embd() + c.vocab_size()) <= memory);
        if (!fits.test(rows)) {
            throw new IllegalArgumentException(String.format("%s=%d: the samples are drawn in batches of %,d rows, and "
                    + "each row holds block_size=%d positions of 4*n_embd + vocab = %d floats: at most %,d rows fit in "
                    + "this machine's memory and one Java array of logits.", key, value, rows, c.block_size(),
                    4 * c.n_embd() + c.vocab_size(), Footprint.largest(rows, fits)));
        }
    }

    /** The responses of several samples of one prompt, each ended at its blank line (or not finished). */
    public record Generated(String[] texts, boolean[] finished) {}

    /**
     * generate() for rows.length samples of one prompt at once (one forward pass per token for
     * all of them): nanoGPT's sampling (context cropped to block_size, logits / temperature,
     * top_k), each row from its own generator. A row ends when its response ends with "\n\n";
     * its text is the response without that blank line.
     */
    public static Generated generate(GPT model, CharTokenizer tok, String prompt, int maxNewTokens,
                                     double temperature, int topK, RandomGenerator[] rngs) {
        Sample.checkTemperature("temperature", temperature);
        Sample.checkTopK("top_k", topK);
        int n = rngs.length;
        int[] p = tok.encode(prompt);
        int nl = tok.encode("\n")[0];
        int block = model.config().block_size();
        int[][] seq = new int[n][p.length + maxNewTokens];
        for (int[] s : seq) {
            System.arraycopy(p, 0, s, 0, p.length);
        }
        int[] end = new int[n]; // where each finished row's response ends; 0 while it runs
        int len = p.length;
        boolean wasTraining = model.isTraining();
        model.train(false);
        try {
            for (int step = 0; step < maxNewTokens && Arrays.stream(end).anyMatch(e -> e == 0); step++) {
                int from = Math.max(0, len - block);
                long[] idx = new long[n * (len - from)];
                for (int r = 0; r < n; r++) {
                    for (int i = from; i < len; i++) {
                        idx[r * (len - from) + i - from] = seq[r][i];
                    }
                }
                float[] logits;
                try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
                    scope.suppressNotUsedWarning();
                    NDArray x = model.manager().create(idx, new Shape(n, len - from));
                    logits = model.forward(x).get(new NDIndex(":, -1, :")).toFloatArray();
                }
                int v = logits.length / n;
                for (int r = 0; r < n; r++) {
                    if (end[r] != 0) {
                        seq[r][len] = nl; // a finished row waits for the others
                        continue;
                    }
                    seq[r][len] = Sample.pick(Arrays.copyOfRange(logits, r * v, (r + 1) * v), temperature, topK,
                            rngs[r]);
                    if (len - 1 > p.length && seq[r][len] == nl && seq[r][len - 1] == nl) {
                        end[r] = len - 1;
                    }
                }
                len++;
            }
        } finally {
            model.train(wasTraining);
        }
        String[] texts = new String[n];
        boolean[] finished = new boolean[n];
        for (int r = 0; r < n; r++) {
            finished[r] = end[r] != 0;
            texts[r] = tok.decode(Arrays.copyOfRange(seq[r], p.length, finished[r] ? end[r] : len));
        }
        return new Generated(texts, finished);
    }

    /**
     * The held-out answer loss: cross-entropy over the response tokens of the given examples
     * (prompt masked, as fine-tuning trains), the mean over every counted token of all of them.
     */
    public static double responseLoss(GPT model, List<int[][]> examples, int blockSize, int pad, int batchSize) {
        boolean wasTraining = model.isTraining();
        model.train(false);
        double sum = 0;
        long count = 0;
        try {
            for (int from = 0; from < examples.size(); from += batchSize) {
                int b = Math.min(batchSize, examples.size() - from);
                long[] x = new long[b * blockSize], y = new long[b * blockSize];
                long counted = 0;
                for (int r = 0; r < b; r++) {
                    LossMask.Row row = SftMask.mask(examples.get(from + r)[0], examples.get(from + r)[1],
                            blockSize, pad);
                    System.arraycopy(row.x(), 0, x, r * blockSize, blockSize);
                    System.arraycopy(row.y(), 0, y, r * blockSize, blockSize);
                    counted += Arrays.stream(row.y()).filter(t -> t != SftMask.IGNORE).count();
                }
                try (NDScope scope = new NDScope(); NoGrad ng = NoGrad.open()) {
                    scope.suppressNotUsedWarning();
                    NDList xy = GetBatch.of(x, y, b, blockSize, model.manager());
                    sum += CrossEntropy.crossEntropy(model.forward(xy.get(0)), xy.get(1)).getFloat() * (double) counted;
                }
                count += counted;
            }
        } finally {
            model.train(wasTraining);
        }
        return sum / count;
    }

    /** Results by tune, in the order of the forms. */
    public static Map<String, Result> byTune(List<Result> results) {
        Map<String, Result> m = new LinkedHashMap<>();
        results.forEach(r -> m.put(r.form().tune(), r));
        return m;
    }
}

package gptkit.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.random.RandomGenerator;

/**
 * The batch part for supervised fine-tuning, in place of get_batch: each row is one example from
 * its first token, drawn whole (rng.nextInt(number of examples), row 0 first), made into x and y
 * by the {@link LossMask} part: prompt targets and padding -1, truncated to block_size. A split's
 * token file holds its examples one after another, each "prompt\n" then a response that ends with
 * a blank line ("\n\n"), as {@code songci_sft} has them ("tune author\n", the poem, "\n"). The
 * trainer's loop and estimate_loss are unchanged: its val loss is the held-out answer loss.
 */
public final class SftBatches implements BatchSource {
    private final LossMask mask;
    private final int newline; // -1: read from the vocab.txt beside the token file
    private final Map<TokenFile, Examples> index = new WeakHashMap<>();

    /** Where each example of a split lies: [start, promptEnd) is the prompt, [promptEnd, end) the response. */
    public record Examples(int[] start, int[] promptEnd, int[] end) {
        public int size() {
            return start.length;
        }
    }

    /** The library's mask; the newline's id from the vocab.txt beside each token file. */
    public SftBatches() {
        this(SftMask::mask, -1);
    }

    /** The given mask part (a student's, say); the newline's id from the vocab.txt beside each token file. */
    public SftBatches(LossMask mask) {
        this(mask, -1);
    }

    public SftBatches(LossMask mask, int newline) {
        this.mask = mask;
        this.newline = newline;
    }

    @Override
    public NDList getBatch(TokenFile data, int blockSize, int batchSize, RandomGenerator rng, NDManager manager) {
        Examples ex = examples(data);
        int nl = newline(data);
        long[] x = new long[batchSize * blockSize];
        long[] y = new long[batchSize * blockSize];
        for (int b = 0; b < batchSize; b++) {
            int k = rng.nextInt(ex.size()); // torch.randint(len(examples)): one draw per row
            LossMask.Row row = mask.mask(data.slice(ex.start[k], ex.promptEnd[k]),
                    data.slice(ex.promptEnd[k], ex.end[k]), blockSize, nl);
            if (row.x().length != blockSize || row.y().length != blockSize) {
                throw new IllegalStateException(String.format("the loss mask part returned x of %d and y of %d "
                        + "tokens for block_size %d", row.x().length, row.y().length, blockSize));
            }
            System.arraycopy(row.x(), 0, x, b * blockSize, blockSize);
            System.arraycopy(row.y(), 0, y, b * blockSize, blockSize);
        }
        return GetBatch.of(x, y, batchSize, blockSize, manager);
    }

    /** The examples of a split, found once per token file. */
    public synchronized Examples examples(TokenFile data) {
        return index.computeIfAbsent(data, d -> find(d, newline(d)));
    }

    /** Every example of a split as {prompt, response} token arrays, in file order (for the held-out answer loss). */
    public static List<int[][]> pairs(TokenFile data, int newline) {
        Examples ex = find(data, newline);
        List<int[][]> out = new ArrayList<>(ex.size());
        for (int k = 0; k < ex.size(); k++) {
            out.add(new int[][] {data.slice(ex.start[k], ex.promptEnd[k]), data.slice(ex.promptEnd[k], ex.end[k])});
        }
        return out;
    }

    /** Splits a token file into examples: the prompt ends at the first newline, the response at the next "\n\n". */
    public static Examples find(TokenFile data, int newline) {
        List<int[]> found = new ArrayList<>();
        long n = data.length();
        if (n > Integer.MAX_VALUE) { // the example index holds int offsets
            throw new IllegalArgumentException(String.format("%s holds %,d tokens: SFT examples are indexed up to "
                    + "%,d tokens. Split the examples into a smaller dataset.", data.path(), n, Integer.MAX_VALUE));
        }
        int start = 0;
        while (start < n) {
            int promptEnd = start;
            while (promptEnd < n && data.get(promptEnd) != newline) {
                promptEnd++;
            }
            promptEnd++; // the prompt keeps its newline
            int end = promptEnd + 1; // a response has at least one token before its blank line
            while (end < n && !(data.get(end) == newline && data.get(end - 1) == newline)) {
                end++;
            }
            end++;
            if (end > n || promptEnd - start < 2) {
                throw new IllegalArgumentException(String.format("%s is not a file of SFT examples: at token %,d "
                        + "there is %s. Each example must be a prompt line (\"tune author\\n\") and a response that "
                        + "ends with a blank line; prepare the dataset songci_sft (./gptkit prepare songci_sft) and "
                        + "fine-tune with --dataset=songci_sft.", data.path(), start, end > n
                        ? "no blank line closing the response" : "an empty prompt line"));
            }
            found.add(new int[] {start, promptEnd, end});
            start = end;
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(data.path() + " holds no SFT examples (it is empty).");
        }
        int[] s = new int[found.size()], p = new int[found.size()], e = new int[found.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = found.get(i)[0];
            p[i] = found.get(i)[1];
            e[i] = found.get(i)[2];
        }
        return new Examples(s, p, e);
    }

    private int newline(TokenFile data) {
        if (newline >= 0) {
            return newline;
        }
        try {
            CharTokenizer tok = CharTokenizer.load(data.path().toAbsolutePath().resolveSibling("vocab.txt"));
            int[] id = tok.encode("\n");
            return id[0];
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The vocabulary beside " + data.path() + " has no newline: its "
                    + "token files cannot hold SFT examples (a prompt line, then a response ending in a blank line).", e);
        }
    }
}

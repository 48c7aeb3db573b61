package gptkit.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The Song-ci corpus cut for the two stages of MiniMind's recipe. {@code songci_poems}: the poems'
 * lines alone (no "tune author" header), each poem followed by a blank line, for pre-training.
 * {@code songci_sft}: every block whole ("tune author", the lines, the blank line), for supervised
 * fine-tuning, where the header is the prompt and the poem the answer. Both are split by poem, the
 * same way (poem i, in file order, is held out when i % 10 == 9), so the fine-tuned model is
 * judged on poems neither stage trained on; and both take their vocabulary from the whole
 * songci.txt, headers included, so a prompt's tune and author names are in the base model's
 * vocabulary (it is the vocabulary of the dataset songci too).
 */
public final class SongCiSets {
    public static final String POEMS = "songci_poems";
    public static final String SFT = "songci_sft";
    public static final List<String> NAMES = List.of(POEMS, SFT);
    /** Poem i is held out (val) when i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1: one in ten, spread over the corpus. */
    public static final int HOLD_OUT_EVERY = 10;

    private SongCiSets() {}

    /** One block of songci.txt. */
    public record Poem(String tune, String author, List<String> lines) {
        /** "tune author\n": the SFT prompt. */
        public String prompt() {
            return tune + " " + author + "\n";
        }

        /** The lines and the closing blank line: the SFT answer, and the poem as pre-training sees it. */
        public String body() {
            return String.join("\n", lines) + "\n\n";
        }
    }

    /** The blocks of a songci.txt: header "tune author" (split at its first space), then non-empty lines. */
    public static List<Poem> parse(String text) {
        List<Poem> poems = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            List<String> lines = new ArrayList<>();
            for (String l : block.split("\n")) {
                if (!l.isEmpty()) {
                    lines.add(l);
                }
            }
            if (lines.size() < 2) {
                continue; // a header without a poem teaches nothing
            }
            String head = lines.get(0);
            int sp = head.indexOf(' ');
            String tune = sp < 0 ? head : head.substring(0, sp);
            String author = sp < 0 ? "" : head.substring(sp + 1);
            poems.add(new Poem(tune, author, List.copyOf(lines.subList(1, lines.size()))));
        }
        return poems;
    }

    /** Whether poem i (0-based, in file order) belongs to the held-out split. */
    public static boolean heldOut(int i) {
        return i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1;
    }

    /** The text of one split of a dataset: [train, val]. */
    public static String[] splits(String dataset, List<Poem> poems) {
        StringBuilder train = new StringBuilder();
        StringBuilder val = new StringBuilder();
        for (int i = 0; i < poems.size(); i++) {
            Poem p = poems.get(i);
            StringBuilder to = heldOut(i) ? val : train;
            if (dataset.equals(SFT)) {
                to.append(p.prompt());
            } else if (!dataset.equals(POEMS)) {
                throw new IllegalArgumentException("not a Song-ci set: " + dataset + " (known: " + NAMES + ")");
            }
            to.append(p.body());
        }
        return new String[] {train.toString(), val.toString()};
    }
}

package gptkit.songci;

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
 * vocabulary (it is the vocabulary of the dataset songci too). {@code songci_poet_AUTHOR} (e.g.
 * songci_poet_辛弃疾): one poet's poems as SFT examples, for adapting a fine-tuned model to that poet
 * (LoRA); its held-out poems are the poet's among the held-out poems of the other sets, so no model
 * of the recipe has trained on them.
 */
public final class SongCiSets {
    public static final String POEMS = "songci_poems";
    public static final String SFT = "songci_sft";
    public static final List<String> NAMES = List.of(POEMS, SFT);
    /** One poet's set: POET + the author's name as the corpus writes it. */
    public static final String POET = "songci_poet_";
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

    /** Whether the dataset is one of these sets (a poet's set for any name after the prefix). */
    public static boolean isSet(String dataset) {
        return NAMES.contains(dataset) || dataset.startsWith(POET) && dataset.length() > POET.length();
    }

    /** Whether poem i (0-based, in file order) belongs to the held-out split. */
    public static boolean heldOut(int i) {
        return i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1;
    }

    /** The text of one split of a dataset: [train, val]. */
    public static String[] splits(String dataset, List<Poem> poems) {
        if (!isSet(dataset)) {
            throw new IllegalArgumentException("not a Song-ci set: " + dataset + " (known: " + NAMES + ", " + POET
                    + "AUTHOR)");
        }
        String poet = dataset.startsWith(POET) ? dataset.substring(POET.length()) : null;
        StringBuilder train = new StringBuilder();
        StringBuilder val = new StringBuilder();
        int mine = 0;
        for (int i = 0; i < poems.size(); i++) {
            Poem p = poems.get(i);
            if (poet != null && !p.author().equals(poet)) {
                continue;
            }
            mine++;
            StringBuilder to = heldOut(i) ? val : train;
            if (!dataset.equals(POEMS)) { // the SFT sets: the header is the prompt
                to.append(p.prompt());
            }
            to.append(p.body());
        }
        if (poet != null && (train.isEmpty() || val.isEmpty())) {
            String why = mine == 0 ? "the corpus has no poems by '" + poet + "'"
                    : String.format("none of the %d poems by '%s' is among the held-out ones (poem i when i %% %d == %d)",
                            mine, poet, HOLD_OUT_EVERY, HOLD_OUT_EVERY - 1);
            throw new IllegalArgumentException(String.format("dataset %s: %s, so there is nothing to %s. Give an author "
                    + "as the corpus writes the name, e.g. %s", dataset, why, mine == 0 ? "train on" : "measure on",
                    String.join(", ", prolific(poems, 5))));
        }
        return new String[] {train.toString(), val.toString()};
    }

    /** The n authors with most poems (无名氏, anonymous, left out), as dataset names of their sets. */
    static List<String> prolific(List<Poem> poems, int n) {
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        poems.forEach(p -> count.merge(p.author(), 1, Integer::sum));
        return count.entrySet().stream().filter(e -> !e.getKey().isEmpty() && !e.getKey().equals("无名氏"))
                .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(java.util.Map.Entry.comparingByKey()))
                .limit(n).map(e -> POET + e.getKey() + " (" + e.getValue() + " poems)").toList();
    }
}

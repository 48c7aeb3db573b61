package gptkit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The corpora prepare knows by name: Tiny Shakespeare, and each {@link Corpus} listed in a
 * META-INF/services/gptkit.data.Corpus on the class path (gptkit.songci's Song ci), found by
 * ServiceLoader so that data never imports the packages of its corpora.
 */
public final class Corpora {
    private static final List<Corpus> ALL = load();

    private Corpora() {}

    private static List<Corpus> load() {
        List<Corpus> all = new ArrayList<>(List.of(new TinyShakespeare()));
        // the loader that loaded this class also holds its services file (target/classes or gptkit.jar)
        ServiceLoader.load(Corpus.class, Corpora.class.getClassLoader()).forEach(all::add);
        return List.copyOf(all);
    }

    /** The corpus the dataset belongs to; null for a dataset of one's own (a text prepared with --text). */
    public static Corpus of(String dataset) {
        return ALL.stream().filter(c -> c.has(dataset)).findFirst().orElse(null);
    }

    /** Every known dataset, for a message. */
    public static List<String> known() {
        return ALL.stream().flatMap(c -> c.datasets().stream()).toList();
    }
}

package gptkit.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * A corpus that prepare knows by name: the dataset that is its whole text, where that text may lie
 * in the $GPTKIT_DATA folder, how to download it, and the datasets cut from it. Prepare asks
 * {@link Corpora} which corpus a dataset name belongs to instead of knowing any corpus itself.
 */
public interface Corpus {
    /** The dataset that is the whole text (data/NAME/), e.g. shakespeare_char. */
    String name();

    /** The datasets it answers to, as prepare lists them: its name, then its cuts (a pattern like songci_poet_AUTHOR too). */
    List<String> datasets();

    /** Whether the dataset is this corpus's: its name, or one of its cuts. */
    boolean has(String dataset);

    /** The file names its text may have in the $GPTKIT_DATA folder, first match wins. */
    List<String> fileNames();

    /** Downloads the text into dir (the folder of {@link #name()}, which exists) and returns its file. */
    Path download(Path dir) throws IOException;

    /** How a dataset is cut from the text; null when it is the whole text (90% train, 10% val, by characters). */
    default Cut cut(String dataset) {
        return null;
    }

    /**
     * A dataset cut from the corpus's text, with the whole text's vocabulary. recipe says how (it is
     * part of the source's sha256 in meta.json, so a changed cut prepares again); split takes the
     * text and returns [train, val], or throws IllegalArgumentException naming what is wrong.
     */
    record Cut(String recipe, Function<String, String[]> split) {}
}

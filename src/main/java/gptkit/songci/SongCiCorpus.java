package gptkit.songci;

import gptkit.data.Corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Song ci for prepare (registered in META-INF/services/gptkit.data.Corpus): the dataset songci is
 * the whole corpus ({@link SongCi}), and songci_poems, songci_sft and songci_poet_AUTHOR are cut
 * from it by poem ({@link SongCiSets}).
 */
public final class SongCiCorpus implements Corpus {
    @Override
    public String name() {
        return "songci";
    }

    @Override
    public List<String> datasets() {
        return List.of(name(), SongCiSets.POEMS, SongCiSets.SFT, SongCiSets.POET + "AUTHOR");
    }

    @Override
    public boolean has(String dataset) {
        return dataset.equals(name()) || SongCiSets.isSet(dataset);
    }

    @Override
    public List<String> fileNames() {
        return List.of("songci.txt", "songci/input.txt");
    }

    @Override
    public Path download(Path dir) throws IOException {
        return SongCi.fromNpm(dir);
    }

    @Override
    public Cut cut(String dataset) {
        if (!SongCiSets.isSet(dataset)) {
            return null;
        }
        return new Cut("held out poem i when i % " + SongCiSets.HOLD_OUT_EVERY + " == " + (SongCiSets.HOLD_OUT_EVERY - 1),
                text -> SongCiSets.splits(dataset, SongCiSets.parse(text)));
    }
}

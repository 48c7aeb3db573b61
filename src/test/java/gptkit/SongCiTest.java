package gptkit;

import gptkit.data.Corpora;
import gptkit.data.Prepare;
import gptkit.songci.SongCi;
import gptkit.songci.SongCiCorpus;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SongCiTest {

    /** prepare knows Song ci only through the registry (META-INF/services/gptkit.data.Corpus). */
    @Test
    void prepareFindsSongCiInTheCorpusRegistry(@TempDir Path dir) {
        for (String d : new String[] {"songci", "songci_poems", "songci_sft", "songci_poet_苏轼"}) {
            assertInstanceOf(SongCiCorpus.class, Corpora.of(d), d);
        }
        assertNull(Corpora.of("songci").cut("songci")); // the whole text, not a cut
        assertNull(Corpora.of("songci_poet_")); // a poet's set names a poet
        assertEquals("shakespeare_char", Corpora.of("shakespeare_char").name());
        assertNull(Corpora.of("my_novel"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Prepare.prepare("my_novel", dir));
        assertTrue(e.getMessage().contains("Known: shakespeare_char, songci, songci_poems, songci_sft, "
                + "songci_poet_AUTHOR."), e.getMessage());
    }

    @Test
    void npmPackageJsonIsFlattenedOnePoemPerBlockInFileOrder(@TempDir Path dir) throws Exception {
        Path tgz = dir.resolve("chinese-poetry-2.0.1.tgz");
        try (OutputStream f = Files.newOutputStream(tgz);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(f))) {
            // written out of order on purpose: the numbers decide, then 2019y, then the Southern Tang
            add(tar, "package/dist/wudaishici/nantang/poetrys.json",
                    "[{\"title\":\"浣溪沙\",\"rhythmic\":\"浣溪沙\",\"author\":\"李璟\",\"paragraphs\":[\"手卷真珠上玉钩。\"]}]");
            add(tar, "package/dist/songci/ci.song.1000.json",
                    "[{\"rhythmic\":\"水调歌头\",\"author\":\"苏轼\",\"paragraphs\":[\"明月几时有，\",\"把酒问青天。\"]}]");
            add(tar, "package/dist/songci/ci.song.2019y.json",
                    "[{\"rhythmic\":\"清平乐\",\"author\":\"李从周\",\"paragraphs\":[\"梦魂寻遍。\"]}]");
            add(tar, "package/dist/songci/ci.song.0.json",
                    "[{\"rhythmic\":\"如梦令\",\"author\":\"李清照\",\"paragraphs\":[\"昨夜雨疏风骤。\"]},"
                            + "{\"rhythmic\":\"声声慢\",\"author\":\"李清照\",\"paragraphs\":[\"寻寻觅觅。\"]}]");
            add(tar, "package/dist/songci/author.song.json", "[{\"name\":\"苏轼\"}]");
        }
        assertEquals("如梦令 李清照\n昨夜雨疏风骤。\n\n声声慢 李清照\n寻寻觅觅。\n\n"
                + "水调歌头 苏轼\n明月几时有，\n把酒问青天。\n\n清平乐 李从周\n梦魂寻遍。\n\n"
                + "浣溪沙 李璟\n手卷真珠上玉钩。\n", SongCi.flatten(tgz));
    }

    private static void add(TarArchiveOutputStream tar, String name, String json) throws Exception {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(b.length);
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
    }
}

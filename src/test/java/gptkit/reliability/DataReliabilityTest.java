package gptkit.reliability;

import gptkit.data.Prepare;
import gptkit.data.TokenFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10, cases 1, 4, 9, 10 and 11: preparing data of one's own, offline, read-only, consistent. */
class DataReliabilityTest {
    static String text(long seed, String alphabet) {
        StringBuilder sb = new StringBuilder();
        SplittableRandom r = new SplittableRandom(seed);
        while (sb.length() < 5000) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static List<String> tempFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).filter(n -> n.endsWith(".tmp") || n.contains(".tmp/"))
                    .collect(Collectors.toList());
        }
    }

    // case 1: prepare --text=FILE [--name=NAME]
    @Test
    void ownTextIsPreparedUnderItsBaseNameOrTheGivenName(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("my-poems.txt");
        Files.writeString(file, text(1, "abc de\nfgh ij\u00e9\u6625"), StandardCharsets.UTF_8);
        Path data = tmp.resolve("data");
        Cli c = Cli.run("prepare", "--text=" + file, "--data_dir=" + data);
        assertEquals(0, c.code, c.err);
        for (String f : List.of("train.bin", "val.bin", "vocab.txt", "meta.json")) {
            assertTrue(Files.isRegularFile(data.resolve("my-poems").resolve(f)), f + "\n" + c.out);
        }
        assertTrue(c.out.contains("--dataset=my-poems"), c.out);
        c = Cli.run("prepare", "--text=" + file, "--name=poems", "--data_dir=" + data);
        assertEquals(0, c.code, c.err);
        assertTrue(Files.isRegularFile(data.resolve("poems/train.bin")));
        assertTrue(TokenFile.open(data.resolve("poems/val.bin")).length() > 0);
    }

    @Test
    void aPathWhereADatasetNameBelongsSaysToUseText(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("my.txt");
        Files.writeString(file, text(1, "abc"));
        String e = Cli.run("prepare", file.toString(), "--data_dir=" + tmp.resolve("data")).oneLineError();
        assertTrue(e.contains("--text=" + file) && e.contains("--dataset=my"), e);
        assertFalse(Files.exists(tmp.resolve("data")), "nothing written");
    }

    // case 4: a corpus that is not UTF-8
    @Test
    void latin1AndBinaryCorporaAreNamedWithWhatToDo(@TempDir Path tmp) throws IOException {
        Path latin1 = tmp.resolve("roman.txt");
        Files.write(latin1, ("Le th\u00e9\u00e2tre de Moli\u00e8re\n" + text(2, "abc ")).getBytes(StandardCharsets.ISO_8859_1));
        String e = Cli.run("prepare", "--text=" + latin1, "--data_dir=" + tmp.resolve("data")).oneLineError();
        assertTrue(e.contains(latin1.toString()) && e.contains("not UTF-8") && e.contains("iconv -f LATIN1 -t UTF-8")
                && e.contains("0xE9") && e.contains("line 1"), e);
        assertFalse(e.contains("Input length"), e);

        Path bin = tmp.resolve("model.bin");
        Files.write(bin, new byte[] {1, 2, 0, 4, 5, 6});
        e = Cli.run("prepare", "--text=" + bin, "--data_dir=" + tmp.resolve("data")).oneLineError();
        assertTrue(e.contains(bin.toString()) && e.contains("not a text file"), e);

        // the same through data/<dataset>/input.txt, the README's other way
        Path data = tmp.resolve("data2");
        Files.createDirectories(data.resolve("mine"));
        Files.copy(latin1, data.resolve("mine/input.txt"));
        e = Cli.run("prepare", "mine", "--data_dir=" + data).oneLineError();
        assertTrue(e.contains(data.resolve("mine/input.txt").toString()) && e.contains("iconv"), e);
        assertEquals(List.of(), tempFiles(tmp));
    }

    // case 9: offline first run
    @Test
    void offlineFirstRunNamesTheFileTheDataFolderMustHoldAndLeavesNoTempFiles(@TempDir Path tmp) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("share"));
        Path data = tmp.resolve("data");
        String e = withProps(Map.of("gptkit.data", empty.toString(), "gptkit.shakespeare_url", "http://127.0.0.1:1/input.txt"),
                () -> Cli.run("prepare", "shakespeare_char", "--data_dir=" + data).oneLineError());
        assertTrue(e.contains("tinyshakespeare.txt") && e.contains("input.txt") && e.contains("GPTKIT_DATA=" + empty), e);
        assertEquals(List.of(), tempFiles(tmp), "no temp files left");

        // nanoGPT's own name for the file is accepted in $GPTKIT_DATA
        Files.writeString(empty.resolve("input.txt"), text(3, "ROMEO:JULIET \n"));
        Cli ok = withProps(Map.of("gptkit.data", empty.toString(), "gptkit.shakespeare_url", "http://127.0.0.1:1/x"),
                () -> Cli.run("prepare", "shakespeare_char", "--data_dir=" + data));
        assertEquals(0, ok.code, ok.err);
        assertTrue(Files.isRegularFile(data.resolve("shakespeare_char/train.bin")));
        assertEquals(List.of(), tempFiles(tmp));
    }

    // case 10: a class share
    @Test
    void upToDateFilesAreNotRewrittenAndAreReadableByAll(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("t.txt");
        Files.writeString(file, text(4, "xyz \n"));
        Path data = tmp.resolve("data");
        assertEquals(0, Cli.run("prepare", "--text=" + file, "--data_dir=" + data).code);
        Path dir = data.resolve("t");
        Map<String, Object> before = snapshot(dir);
        for (String f : List.of("train.bin", "val.bin", "vocab.txt", "meta.json")) {
            var perms = Files.getPosixFilePermissions(dir.resolve(f));
            assertTrue(perms.contains(PosixFilePermission.OTHERS_READ) && perms.contains(PosixFilePermission.GROUP_READ),
                    f + " is " + perms);
        }
        Thread.sleep(20);
        Cli again = Cli.run("prepare", "--text=" + file, "--data_dir=" + data);
        assertEquals(0, again.code, again.err);
        assertTrue(again.out.contains("up to date"), again.out);
        assertEquals(before, snapshot(dir), "the files were not rewritten");
        // a changed text is prepared again
        Files.writeString(file, text(5, "xyz \n"));
        assertEquals(0, Cli.run("prepare", "--text=" + file, "--data_dir=" + data).code);
        assertFalse(before.equals(snapshot(dir)));

        // training reads the prepared folder and writes nothing into it
        Map<String, Object> prepared = snapshot(dir);
        Cli train = Cli.run(Cli.trainArgs(tmp.resolve("out"), "--data_dir=" + data, "--dataset=t"));
        assertEquals(0, train.code, train.err);
        assertEquals(prepared, snapshot(dir));
    }

    @Test
    void anUnpreparedReadOnlyFolderGetsAHint(@TempDir Path tmp) throws IOException {
        Path share = Files.createDirectories(tmp.resolve("share"));
        Files.writeString(share.resolve("tinyshakespeare.txt"), text(6, "abc \n"));
        Path readOnly;
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            readOnly = Path.of("/proc/gptkit-class-share"); // not writable even by root
        } else {
            readOnly = Files.createDirectories(tmp.resolve("ro"));
            readOnly.toFile().setWritable(false, false);
        }
        String e = withProps(Map.of("gptkit.data", share.toString()),
                () -> Cli.run("prepare", "shakespeare_char", "--data_dir=" + readOnly).oneLineError());
        assertTrue(e.contains("read-only") && e.contains("--data_dir="), e);
        assertEquals(List.of(), tempFiles(tmp));
    }

    // case 11: token files tied to their vocabulary
    @Test
    void tokenFilesOfAnotherVocabularyAreOneClearError(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Prepare.prepareText(text(7, "abcdefghijklmnopqrstuvwxyz \n"), data.resolve("big"));
        Prepare.prepareText(text(8, "ab \n"), data.resolve("small"));
        Files.copy(data.resolve("small/vocab.txt"), data.resolve("big/vocab.txt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String e = Cli.run(Cli.trainArgs(tmp.resolve("out"), "--data_dir=" + data, "--dataset=big")).oneLineError();
        assertTrue(e.contains("vocab.txt") && e.contains("prepare big"), e);
        assertFalse(e.contains("index out of range"), e);

        // a folder from an older gptkit (no meta.json): the ids are checked against the vocabulary
        Files.delete(data.resolve("big/meta.json"));
        e = Cli.run(Cli.trainArgs(tmp.resolve("out"), "--data_dir=" + data, "--dataset=big")).oneLineError();
        assertTrue(e.contains("token id") && e.contains("vocab.txt") && e.contains("prepare big"), e);
    }

    @Test
    void aFailedPrepareLeavesTheOldFilesAndNoTempFiles(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Path dir = data.resolve("d");
        Prepare.prepareText(text(9, "abc \n"), dir);
        Map<String, Object> before = snapshot(dir);
        // val.bin cannot be replaced (a folder is in its way): the move of the new files fails half-way
        Files.delete(dir.resolve("val.bin"));
        Files.createDirectories(dir.resolve("val.bin/x"));
        assertThrows(IOException.class, () -> Prepare.prepareText(text(10, "abcdef \n"), dir));
        assertEquals(List.of(), tempFiles(tmp), "no temp folder or file left");
        assertFalse(Files.exists(dir.resolve("meta.json")), "no meta.json vouches for a half-replaced folder");
        IOException e = assertThrows(IOException.class, () -> TokenFile.open(dir.resolve("train.bin")));
        assertTrue(e.getMessage().contains("prepare d"), e.getMessage());
        assertFalse(before.isEmpty());
    }

    /** Name -> (inode, mtime, size) of each file in dir. */
    static Map<String, Object> snapshot(Path dir) throws IOException {
        Map<String, Object> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.collect(Collectors.toList())) {
                var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
                m.put(p.getFileName().toString(), List.of(String.valueOf(a.fileKey()), a.lastModifiedTime().toString(), a.size()));
            }
        }
        return m;
    }

    interface Body<T> {
        T run() throws IOException;
    }

    static <T> T withProps(Map<String, String> props, Body<T> body) throws IOException {
        props.forEach(System::setProperty);
        try {
            return body.run();
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }
}

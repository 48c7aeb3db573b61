package gptkit.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import static gptkit.files.SafeFiles.deleteQuietly;
import static gptkit.files.SafeFiles.deleteTree;
import static gptkit.files.SafeFiles.readableByAll;
import static gptkit.files.SafeFiles.tempBeside;

import gptkit.files.SafeFiles;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * nanoGPT's data/shakespeare_char/prepare.py for any character corpus: the text's vocabulary,
 * the first 90% of its characters as train.bin and the last 10% as val.bin (uint16), the
 * vocabulary in vocab.txt beside them, and meta.json tying the three together (the sha256 of
 * each and of the source text). The three files are written into a temp folder beside the
 * dataset's folder and then moved in, meta.json last, so a failed prepare leaves the old
 * files (or none) and no temp files; a folder that is up to date is not rewritten (a read-only
 * class share works). A text file is read twice, a megabyte at a time ({@link TextStream}), and
 * never held whole: a text of gigabytes prepares in a small heap.
 */
public final class Prepare {
    /** The address nanoGPT's prepare.py downloads Tiny Shakespeare from. */
    public static final String SHAKESPEARE_URL =
            "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt";
    public static final String SHAKESPEARE_SHA256 =
            "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed";
    /** A folder holding tinyshakespeare.txt and songci.txt, for offline classrooms and CI. */
    public static final String DATA_ENV = "GPTKIT_DATA";
    /** The manifest beside the token files. */
    public static final String META = "meta.json";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private Prepare() {}

    /** What prepare wrote: the sizes a reader checks against nanoGPT's printout. */
    public record Result(Path dir, int vocabSize, long trainTokens, long valTokens) {}

    /** meta.json: what the token files were made from, and with which vocabulary. */
    public static final class Meta {
        public int format = 1;
        public String source;
        public String source_sha256;
        public int vocab_size;
        public String vocab_sha256;
        public long train_tokens;
        public String train_sha256;
        public long val_tokens;
        public String val_sha256;
        // set only when some were converted (absent otherwise): Windows line endings turned into "\n"
        public Long crlf_to_lf;
        // the token files' modification times (ns) when their sha256 was taken: an unchanged size and
        // time skip the rehash at load, which costs seconds for a file of gigabytes (absent in older metas)
        public Long train_mtime_ns;
        public Long val_mtime_ns;
    }

    /** Finds the corpus of a dataset (local first, then its download) and prepares it. */
    public static Result prepare(String dataset, Path dataRoot) throws IOException {
        Corpus known = Corpora.of(dataset);
        Corpus.Cut cut = known == null ? null : known.cut(dataset);
        if (cut != null) { // a cut may be named in the corpus's script (a poet's set): no name check
            return prepareCut(dataset, dataRoot, known, cut);
        }
        checkDatasetName(dataset);
        Path dir = dataRoot.resolve(dataset);
        Path local = localCorpus(dataset, dir);
        if (local == null) {
            Result done = upToDate(dir, null);
            if (done != null) { // prepared earlier from a download
                return done;
            }
            local = fetch(dataset, dir);
        }
        Path file = local;
        Text corpus = sink -> TextStream.read(file, sink);
        Scan scan = scan(corpus); // pass 1: checks the text, its characters and their count
        Result done = upToDate(dir, scan.sha256(), scan.crlf());
        if (done != null) {
            return done;
        }
        Path input = dir.resolve("input.txt");
        if (!local.equals(input) && !Files.exists(input)) {
            cacheCopy(local, input); // nanoGPT keeps the text beside the token files (notebook 01 reads it)
        }
        return write(corpus, scan, dir, local.toString());
    }

    /**
     * A dataset cut from a known corpus's text (e.g. songci_poems from songci): the text found, or
     * fetched, as for the corpus's own dataset, split by the cut, with the whole text's vocabulary.
     */
    static Result prepareCut(String dataset, Path dataRoot, Corpus corpus, Corpus.Cut cut) throws IOException {
        Path dir = dataRoot.resolve(dataset);
        Path whole = dataRoot.resolve(corpus.name());
        Path local = localCorpus(corpus.name(), whole);
        if (local == null) {
            local = fetch(corpus.name(), whole);
        }
        byte[] bytes = TextFiles.readBytes(local);
        // the recipe is part of the source: a changed cut prepares again
        String recipe = dataset + ": " + cut.recipe() + "; vocabulary of the whole text; ";
        String sha = sha256((recipe + sha256(bytes)).getBytes(StandardCharsets.UTF_8));
        Result done = upToDate(dir, sha);
        if (done != null) {
            return done;
        }
        String text = TextFiles.decodeUtf8(bytes, local);
        CharTokenizer tok = CharTokenizer.fromText(text);
        String[] split = cut.split().apply(text);
        int[] train = tok.encode(split[0]);
        int[] val = tok.encode(split[1]);
        return write(tok, dir, recipe + local, sha, 0, (t, v) -> {
            for (int id : train) {
                t.put(id);
            }
            for (int id : val) {
                v.put(id);
            }
        });
    }

    /** `prepare --text=FILE --name=NAME`: any UTF-8 text file as dataset NAME under dataRoot. */
    public static Result prepareFile(Path text, String name, Path dataRoot) throws IOException {
        if (name == null || name.isEmpty()) {
            name = defaultName(text);
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("--name=" + name + " is not a usable dataset name: use letters, "
                    + "digits, '.', '_' and '-' (it becomes the folder " + dataRoot.resolve("NAME")
                    + " and --dataset=NAME).");
        }
        Text corpus = sink -> TextStream.read(text, sink);
        Scan scan = scan(corpus); // pass 1: checks the text, its characters and their count
        Path dir = dataRoot.resolve(name);
        Result done = upToDate(dir, scan.sha256(), scan.crlf());
        if (done != null) {
            return done;
        }
        return write(corpus, scan, dir, text.toAbsolutePath().toString());
    }

    /** The dataset name a text file gets by default: its file name without the extension. */
    public static String defaultName(Path text) {
        String n = text.getFileName() == null ? "" : text.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String base = dot > 0 ? n.substring(0, dot) : n;
        base = base.replaceAll("[^A-Za-z0-9._-]", "_");
        return base.isEmpty() || !Character.isLetterOrDigit(base.charAt(0)) ? "text" + base : base;
    }

    /** Encodes a text and writes train.bin, val.bin, vocab.txt and meta.json into dir. */
    public static Result prepareText(String text, Path dir) throws IOException {
        Text corpus = sink -> { // the text exactly as given: no line endings converted
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                sink.codePoint(cp);
                i += Character.charCount(cp);
            }
            return new TextStream.Stats(null, 0);
        };
        Scan scan = scan(corpus);
        return write(corpus, new Scan(sha256(text.getBytes(StandardCharsets.UTF_8)), 0, scan.chars(), scan.length()),
                dir, "(text)");
    }

    /** A text that can be read more than once, character by character. */
    private interface Text {
        TextStream.Stats read(TextStream.Sink sink) throws IOException;
    }

    /** Pass 1's findings: the source's sha256, the "\r\n" converted, the distinct characters, their count. */
    private record Scan(String sha256, long crlf, BitSet chars, long length) {}

    private static Scan scan(Text corpus) throws IOException {
        BitSet chars = new BitSet();
        long[] n = {0};
        TextStream.Stats st = corpus.read(cp -> {
            chars.set(cp);
            n[0]++;
        });
        return new Scan(st.sha256(), st.crlf(), chars, n[0]);
    }

    /** A path where a dataset name belongs: say how to prepare a file of one's own. */
    static void checkDatasetName(String dataset) {
        boolean pathLike = dataset.contains("/") || dataset.contains("\\") || dataset.endsWith(".txt")
                || Files.isRegularFile(Path.of(dataset));
        if (pathLike || !NAME.matcher(dataset).matches()) {
            String name = defaultName(Path.of(dataset));
            throw new IllegalArgumentException(String.format("'%s' is %s, not a dataset name. To prepare a text "
                    + "file of your own run `./gptkit prepare --text=%s` (it writes data/%s/; --name=NAME picks "
                    + "another name), then train with --dataset=%s.", dataset,
                    pathLike ? "a file path" : "not a valid name", dataset, name, name));
        }
    }

    /** The file names a dataset's text may have in the $GPTKIT_DATA folder, first match wins. */
    public static List<String> corpusNames(String dataset) {
        Corpus known = Corpora.of(dataset);
        return known != null && known.name().equals(dataset) ? known.fileNames() : List.of(dataset + "/input.txt");
    }

    /** data/<dataset>/input.txt, else the dataset's file in $GPTKIT_DATA; null when neither exists. */
    static Path localCorpus(String dataset, Path dir) {
        Path input = dir.resolve("input.txt");
        if (Files.isRegularFile(input)) {
            return input;
        }
        String env = dataEnv();
        if (env != null && !env.isEmpty()) {
            for (String n : corpusNames(dataset)) {
                Path p = Path.of(env, n);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** $GPTKIT_DATA (the system property gptkit.data wins, for tests). */
    static String dataEnv() {
        return System.getProperty("gptkit.data", System.getenv(DATA_ENV));
    }

    /** Why $GPTKIT_DATA did not give a corpus's text, for a message. */
    static String whereData() {
        String env = dataEnv();
        return env == null || env.isEmpty() ? DATA_ENV + " is not set" : DATA_ENV + "=" + env + " holds none of them";
    }

    /** The download of a known corpus's text into dir (the corpus's own dataset folder). */
    private static Path fetch(String dataset, Path dir) throws IOException {
        Corpus known = Corpora.of(dataset);
        if (known == null || !known.name().equals(dataset)) {
            String env = dataEnv();
            throw new IllegalArgumentException("Unknown dataset '" + dataset + "': no "
                    + dir.resolve("input.txt") + (env == null || env.isEmpty() ? "" : " and no " + Path.of(env,
                    dataset, "input.txt")) + ". Known: " + String.join(", ", Corpora.known()) + ". For your own "
                    + "text run `./gptkit prepare --text=FILE --name=" + dataset + "` (any UTF-8 file).");
        }
        mkdirs(dir, dir);
        return known.download(dir);
    }

    /** meta.json's verdict: the Result if dir holds complete, consistent files made from this source. */
    static Result upToDate(Path dir, String sourceSha) {
        return upToDate(dir, sourceSha, -1);
    }

    /** The same, for a text with crlf Windows line endings (-1: not known): an older prepare kept their "\r". */
    static Result upToDate(Path dir, String sourceSha, long crlf) {
        Path metaFile = dir.resolve(META);
        if (!Files.isRegularFile(metaFile)) {
            return null;
        }
        try {
            Meta m = readMeta(metaFile);
            if (sourceSha != null && !sourceSha.equals(m.source_sha256)) {
                return null;
            }
            if (crlf >= 0 && crlf != (m.crlf_to_lf == null ? 0 : m.crlf_to_lf)) {
                return null;
            }
            verify(dir, m);
            System.out.printf("%s is up to date (vocab size %,d, train %,d tokens, val %,d tokens): nothing to do%n",
                    dir, m.vocab_size, m.train_tokens, m.val_tokens);
            return new Result(dir, m.vocab_size, m.train_tokens, m.val_tokens);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Reads meta.json; a damaged one is an IOException naming it. */
    public static Meta readMeta(Path metaFile) throws IOException {
        try {
            Meta m = GSON.fromJson(TextFiles.readUtf8(metaFile), Meta.class);
            if (m == null || m.vocab_sha256 == null || m.train_sha256 == null || m.val_sha256 == null) {
                throw new JsonParseException("fields missing");
            }
            return m;
        } catch (JsonParseException e) {
            throw new IOException(metaFile + " is damaged (" + e.getMessage() + "): run prepare for "
                    + metaFile.getParent().getFileName() + " again.", e);
        }
    }

    /** Checks that vocab.txt, train.bin and val.bin are the files meta.json was written with. */
    static void verify(Path dir, Meta m) throws IOException {
        check(dir.resolve("vocab.txt"), m.vocab_sha256, -1, null, m);
        check(dir.resolve("train.bin"), m.train_sha256, m.train_tokens, m.train_mtime_ns, m);
        check(dir.resolve("val.bin"), m.val_sha256, m.val_tokens, m.val_mtime_ns, m);
    }

    /**
     * The check at load time (TokenFile.open): file must be the one meta.json lists, and vocab.txt
     * the vocabulary its ids index. Without meta.json (a folder prepared by an older gptkit) the
     * ids are checked against vocab.txt's size instead.
     */
    static void checkBelongs(Path tokenFile) throws IOException {
        Path dir = tokenFile.toAbsolutePath().getParent();
        Path metaFile = dir.resolve(META);
        String name = tokenFile.getFileName().toString();
        if (Files.isRegularFile(metaFile)) {
            Meta m = readMeta(metaFile);
            check(dir.resolve("vocab.txt"), m.vocab_sha256, -1, null, m);
            if (name.equals("train.bin")) {
                check(tokenFile, m.train_sha256, m.train_tokens, m.train_mtime_ns, m);
            } else if (name.equals("val.bin")) {
                check(tokenFile, m.val_sha256, m.val_tokens, m.val_mtime_ns, m);
            }
        }
    }

    private static void check(Path file, String sha, long tokens, Long mtimeNs, Meta m) throws IOException {
        String dataset = file.toAbsolutePath().getParent().getFileName().toString();
        String again = " The folder was changed after prepare (a file copied from another dataset, or an "
                + "interrupted copy). Run `./gptkit prepare " + dataset + "` again (for your own text: "
                + "`./gptkit prepare --text=FILE --name=" + dataset + "`).";
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is missing but " + META + " beside it lists it." + again);
        }
        if (tokens >= 0 && Files.size(file) != 2 * tokens) {
            throw new IOException(String.format("%s has %,d bytes but %s says it holds %,d tokens (%,d bytes).%s",
                    file, Files.size(file), META, tokens, 2 * tokens, again));
        }
        if (mtimeNs != null && mtimeNs == mtimeNs(file)) {
            return; // the file prepare hashed, untouched since (its size was checked above)
        }
        String got = sha256(file);
        if (!got.equals(sha)) {
            throw new IOException(String.format("%s does not belong with the other files of %s: %s records "
                    + "sha256 %s for it (vocabulary of %,d characters), the file has %s.%s", file,
                    file.getParent(), META, shortSha(sha), m.vocab_size, shortSha(got), again));
        }
    }

    private static String shortSha(String s) {
        return s == null ? "none" : s.substring(0, Math.min(12, s.length()));
    }

    /**
     * Pass 2: encodes the corpus into a temp folder beside dir, the first 90% of its characters into
     * train.bin and the rest into val.bin, then moves the files in, meta.json last.
     */
    private static Result write(Text corpus, Scan scan, Path dir, String source) throws IOException {
        if (scan.length() == 0) {
            throw new IllegalArgumentException(source + " is empty (0 characters): give a UTF-8 text of at least a few "
                    + "thousand characters.");
        }
        StringBuilder vocab = new StringBuilder();
        scan.chars().stream().forEach(vocab::appendCodePoint);
        CharTokenizer tok = CharTokenizer.fromChars(vocab.toString()); // sorted: the text's vocabulary
        long n = scan.length();
        long split = (long) (n * 0.9);
        if (n - split < 2) {
            throw new IllegalArgumentException(String.format(
                    "%s has only %d characters: too small to split into train and val. "
                            + "Use a text of at least a few thousand characters.", source, n));
        }
        int[] id = new int[Character.MAX_CODE_POINT + 1]; // stoi as a table: a map lookup per character is slow
        java.util.Arrays.fill(id, -1);
        for (int i = 0, cp = scan.chars().nextSetBit(0); cp >= 0; i++, cp = scan.chars().nextSetBit(cp + 1)) {
            id[cp] = i;
        }
        String changed = source + " changed while it was being prepared (its characters differ between the two "
                + "passes over it). Run prepare again once nothing writes to it.";
        Result r = write(tok, dir, source, scan.sha256(), scan.crlf(), (train, val) -> {
            TextStream.Stats st = corpus.read(cp -> {
                int t = id[cp];
                if (t < 0) {
                    throw new IOException(changed);
                }
                (train.count() < split ? train : val).put(t);
            });
            if (train.count() + val.count() != n || (st.sha256() != null && !st.sha256().equals(scan.sha256()))) {
                throw new IOException(changed);
            }
        });
        return r;
    }

    /** Writes the tokens fill puts (train's, then val's), with tok's vocabulary, into dir. */
    private interface Fill {
        void fill(TokenFile.Writer train, TokenFile.Writer val) throws IOException;
    }

    private static Result write(CharTokenizer tok, Path dir, String source, String sourceSha, long crlf, Fill fill)
            throws IOException {
        Path abs = dir.toAbsolutePath();
        mkdirs(abs.getParent(), abs);
        Path tmp = tempBeside(abs.resolveSibling("." + abs.getFileName() + ".prepare")); // hidden, of its own
        long split;
        long n;
        try {
            try {
                Files.createDirectory(tmp);
            } catch (FileSystemException e) {
                throw readOnly(abs, e);
            }
            Meta m = new Meta();
            try (TokenFile.Writer train = new TokenFile.Writer(tmp.resolve("train.bin"));
                 TokenFile.Writer val = new TokenFile.Writer(tmp.resolve("val.bin"))) {
                fill.fill(train, val);
                m.train_tokens = train.count();
                m.val_tokens = val.count();
                train.close(); // the digests are final once the buffers are written
                val.close();
                m.train_sha256 = train.sha256();
                m.val_sha256 = val.sha256();
            }
            split = m.train_tokens;
            n = split + m.val_tokens;
            tok.save(tmp.resolve("vocab.txt"));
            m.source = source;
            m.source_sha256 = sourceSha;
            m.crlf_to_lf = crlf > 0 ? crlf : null;
            m.vocab_size = tok.vocabSize();
            m.vocab_sha256 = sha256(tmp.resolve("vocab.txt"));
            m.train_mtime_ns = mtimeNs(tmp.resolve("train.bin")); // a rename keeps them
            m.val_mtime_ns = mtimeNs(tmp.resolve("val.bin"));
            Files.writeString(tmp.resolve(META), GSON.toJson(m), StandardCharsets.UTF_8);
            for (String f : new String[] {"train.bin", "val.bin", "vocab.txt", META}) {
                readableByAll(tmp.resolve(f));
            }
            commit(tmp, abs);
        } finally {
            deleteTree(tmp);
        }
        if (crlf > 0) {
            System.out.printf("converted %,d CRLF line endings to LF%n", crlf);
        }
        System.out.printf("length of dataset in characters: %,d%n", n);
        System.out.printf("vocab size: %,d%n", tok.vocabSize());
        System.out.printf("train has %,d tokens%n", split);
        System.out.printf("val has %,d tokens%n", n - split);
        return new Result(dir, tok.vocabSize(), split, n - split);
    }

    /** The temp folder becomes dir (one rename), or its files replace dir's, meta.json removed first and moved last. */
    private static void commit(Path tmp, Path dir) throws IOException {
        if (!Files.exists(dir)) {
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another DDP rank prepared it at the same moment: replace its files one by one
            }
        }
        try {
            Files.deleteIfExists(dir.resolve(META));
            for (String f : new String[] {"train.bin", "val.bin", "vocab.txt", META}) {
                Files.move(tmp.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (AccessDeniedException e) {
            throw readOnly(dir, e);
        }
    }

    private static IOException readOnly(Path dir, IOException e) {
        String name = dir.getFileName().toString();
        return new IOException(String.format("Cannot write the prepared files of '%s' into %s (%s): the data "
                + "folder is read-only or not yours. Prepare it in a folder you can write: "
                + "`./gptkit prepare %s --data_dir=$HOME/gptkit-data` and train with the same --data_dir; or ask "
                + "whoever owns %s to run `./gptkit prepare %s` there.", name, dir,
                SafeFiles.reason(e), name, dir.getParent(), name), e);
    }

    private static void mkdirs(Path toCreate, Path datasetDir) throws IOException {
        try {
            Files.createDirectories(toCreate);
        } catch (FileSystemException e) {
            throw readOnly(datasetDir, e);
        }
    }

    /** Copies the corpus to input.txt beside the token files, best effort (a read-only folder skips it). */
    private static void cacheCopy(Path from, Path to) {
        Path tmp = null;
        try {
            Files.createDirectories(to.getParent());
            tmp = tempBeside(to);
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            readableByAll(tmp);
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // not needed for training; the prepare below reports a folder it cannot write
        } finally {
            deleteQuietly(tmp);
        }
    }

    static void download(String url, Path to, String sha256, String offlineHint) throws IOException {
        System.out.println("downloading " + url);
        Path tmp = tempBeside(to);
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            try {
                HttpResponse<InputStream> resp = client.send(
                        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (resp.statusCode() != 200) {
                    throw new IOException("HTTP " + resp.statusCode());
                }
                try (InputStream in = resp.body()) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (AccessDeniedException e) {
                throw readOnly(to.getParent(), e);
            } catch (IOException | InterruptedException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                throw new IOException("Could not download " + url + " (" + why + "). " + offlineHint, e);
            }
            String got = sha256(tmp);
            if (sha256 != null && !got.equals(sha256)) {
                throw new IOException("Downloaded file has sha256 " + got + ", expected " + sha256 + ". " + offlineHint);
            }
            readableByAll(tmp);
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Read a megabyte at a time: a token file can be larger than a Java array. */
    static String sha256(Path file) throws IOException {
        MessageDigest md = TextStream.sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long mtimeNs(Path file) throws IOException {
        return Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

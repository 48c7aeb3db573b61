package gptkit.reliability;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.checkpoint.Checkpoint;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 13: in a notebook on IJava 1.3 the Gson that the kit's classes see is the 2.8.5 bundled in
 * IJava's jar, not ours: no record support (it cannot build GPTConfig: "Can not set final int field
 * GPTConfig.block_size"), no JsonParser.parseString/parseReader (2.8.6). Here the kit's classes are
 * loaded again in a class loader that has Gson 2.8.5 (target/old-gson, copied by Maven) instead of
 * ours, and read a checkpoint written the usual way.
 */
class CheckpointOldGsonTest {
    static final GPTConfig ARGS = new GPTConfig(4, 5, 1, 2, 4, 0.1, true);

    /** The test classpath with Gson 2.8.5 in place of ours, over the platform loader (no test classes leak in). */
    static URLClassLoader withOldGson() throws IOException {
        Path old = Path.of("target", "old-gson", "gson-2.8.5.jar");
        if (!Files.isRegularFile(old)) {
            fail(old.toAbsolutePath() + " is missing: Maven copies it (pom.xml, execution old-gson) before the tests");
        }
        List<URL> urls = new ArrayList<>(List.of(old.toUri().toURL()));
        for (String entry : System.getProperty("java.class.path").split(Pattern.quote(File.pathSeparator))) {
            if (!entry.isEmpty() && !Path.of(entry).getFileName().toString().matches("gson-\\d.*\\.jar")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    static Object call(Class<?> c, String method, Class<?>[] types, Object... args) throws Exception {
        Method m = c.getDeclaredMethod(method, types);
        m.setAccessible(true);
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    @Test
    void theOldGsonIsReallyOld() throws Exception {
        try (URLClassLoader loader = withOldGson()) {
            Class<?> gson = loader.loadClass("com.google.gson.Gson");
            assertTrue(gson.getProtectionDomain().getCodeSource().getLocation().toString().endsWith("gson-2.8.5.jar"));
            Class<?> parser = loader.loadClass("com.google.gson.JsonParser");
            assertThrows(NoSuchMethodException.class, () -> parser.getMethod("parseString", String.class));
        }
    }

    @Test
    void aCheckpointLoadsWithGson285(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            for (Map.Entry<String, long[]> e : GPT.shapes(ARGS).entrySet()) {
                tensors.put(e.getKey(), m.ones(new Shape(e.getValue())));
            }
            Checkpoint.Header h = new Checkpoint.Header();
            h.model_args = ARGS;
            h.iter_num = 7;
            h.best_val_loss = 1.25;
            h.vocab = "abcde";
            h.config = Map.of("dataset", "x");
            Checkpoint.save(file, h, tensors);
        }
        try (URLClassLoader loader = withOldGson()) {
            Class<?> ck = Class.forName(Checkpoint.class.getName(), true, loader);
            assertTrue(ck != Checkpoint.class);
            Object loaded = call(ck, "load", new Class<?>[] {Path.class}, file);
            Object header = loaded.getClass().getMethod("header").invoke(loaded);
            Object args = header.getClass().getField("model_args").get(header);
            assertEquals(ARGS.toString(), args.toString()); // GPTConfig[block_size=4, ...] of the other loader
            assertEquals(7, header.getClass().getField("iter_num").getInt(header));
            assertEquals("abcde", header.getClass().getField("vocab").get(header));
            Object first = ((List<?>) header.getClass().getField("tensors").get(header)).get(0);
            assertEquals("transformer.wte.weight", first.getClass().getMethod("name").invoke(first));

            // and written by the kit under Gson 2.8.5: the same header, read back by ours
            Path again = dir.resolve("again").resolve(Checkpoint.FILE_NAME);
            Class<?> ndArray = Class.forName(NDArray.class.getName(), false, loader);
            assertTrue(ndArray != NDArray.class);
            // (tensors need the engine in that loader too; an empty map is enough to write the header)
            call(ck, "save", new Class<?>[] {Path.class, header.getClass(), Map.class}, again, header, Map.of());
            String json = Files.readString(again, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(json.contains("\"model_args\":{\"block_size\":4,\"vocab_size\":5,\"n_layer\":1,\"n_head\":2,"
                    + "\"n_embd\":4,\"dropout\":0.1,\"bias\":true}"), json);
        }
        // the usual Gson reads what it always wrote
        Checkpoint.Loaded ours = Checkpoint.load(file);
        assertEquals(ARGS, ours.header().model_args);
        assertEquals(GPT.shapes(ARGS).size(), ours.header().tensors.size());
    }

    @Test
    void songCiParsesWithGson285() throws Exception {
        try (URLClassLoader loader = withOldGson()) {
            Class<?> songCi = Class.forName("gptkit.songci.SongCi", true, loader);
            StringBuilder sb = new StringBuilder();
            call(songCi, "appendPoems", new Class<?>[] {StringBuilder.class, String.class}, sb,
                    "[{\"rhythmic\":\"浣溪沙\",\"author\":\"晏殊\",\"paragraphs\":[\"一曲新词酒一杯。\"]}]");
            assertEquals("浣溪沙 晏殊\n一曲新词酒一杯。\n\n", sb.toString());
        }
    }

    /** JsonParser.parseString/parseReader (Gson 2.8.6) in the kit or a notebook fails on IJava 1.3. */
    @Test
    void noGsonApiNewerThan285() throws IOException {
        Pattern newer = Pattern.compile("JsonParser\\s*\\.\\s*parse(String|Reader)\\s*\\(");
        List<String> found = new ArrayList<>();
        for (String root : new String[] {"src/main/java", "src/notebook/java", "notebooks"}) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java")
                        || p.toString().endsWith(".ipynb"))::iterator) {
                    String text = Files.readString(f);
                    var m = newer.matcher(text);
                    while (m.find()) {
                        found.add(f + ": " + m.group());
                    }
                }
            }
        }
        assertTrue(found.isEmpty(), "Gson API that IJava 1.3's Gson 2.8.5 lacks (use new Gson().fromJson(text, "
                + "JsonObject.class) or new JsonParser().parse(text)): " + found);
    }
}

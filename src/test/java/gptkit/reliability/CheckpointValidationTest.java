package gptkit.reliability;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import gptkit.checkpoint.Checkpoint;
import gptkit.model.GPTConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 10, case 5: checkpoints with a correct CRC but inconsistent contents. Each is one
 * IOException naming the file and the field, never BufferUnderflow, StringIndexOutOfBounds,
 * NullPointer or NegativeArraySize.
 */
class CheckpointValidationTest {
    static final byte[] MAGIC = "GPTKIT-CKPT-1\n".getBytes(StandardCharsets.US_ASCII);
    static final GPTConfig ARGS = new GPTConfig(2, 3, 1, 1, 2, 0, false);

    /** A valid header for ARGS: model_args, vocab and the tensors list of its GPT. */
    static JsonObject header() {
        JsonObject h = new JsonObject();
        JsonObject a = new JsonObject();
        a.addProperty("block_size", 2);
        a.addProperty("vocab_size", 3);
        a.addProperty("n_layer", 1);
        a.addProperty("n_head", 1);
        a.addProperty("n_embd", 2);
        a.addProperty("dropout", 0.0);
        a.addProperty("bias", false);
        h.add("model_args", a);
        h.addProperty("iter_num", 5);
        h.addProperty("vocab", "abc");
        JsonArray ts = new JsonArray();
        gptkit.model.GPT.shapes(ARGS).forEach((name, shape) -> {
            JsonObject t = new JsonObject();
            t.addProperty("name", name);
            JsonArray s = new JsonArray();
            for (long d : shape) {
                s.add(d);
            }
            t.add("shape", s);
            ts.add(t);
        });
        h.add("tensors", ts);
        return h;
    }

    static long floats(JsonObject h) {
        long n = 0;
        if (!h.has("tensors")) {
            return 0;
        }
        for (var t : h.getAsJsonArray("tensors")) {
            long k = 1;
            if (!t.getAsJsonObject().has("shape")) {
                continue;
            }
            for (var d : t.getAsJsonObject().getAsJsonArray("shape")) {
                k *= d.getAsLong();
            }
            n += k;
        }
        return n;
    }

    /** MAGIC, int length, json, float32 data, CRC32 of all of it: the format Checkpoint.save writes. */
    static void write(Path file, byte[] json, int declaredLength, long dataBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(declaredLength);
            out.write(json);
            out.write(new byte[(int) dataBytes]);
        }
        byte[] body = bytes.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(body);
        Files.write(file, body);
        Files.write(file, ByteBuffer.allocate(8).putLong(crc.getValue()).array(), java.nio.file.StandardOpenOption.APPEND);
    }

    static void write(Path file, JsonObject h) throws IOException {
        byte[] json = h.toString().getBytes(StandardCharsets.UTF_8);
        write(file, json, json.length, Math.max(0, 4 * floats(h)));
    }

    static String refused(Path file, String... mustContain) {
        try {
            Checkpoint.load(file);
        } catch (IOException e) {
            for (String s : mustContain) {
                assertTrue(e.getMessage().contains(s), "want '" + s + "' in: " + e.getMessage());
            }
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            return e.getMessage();
        } catch (RuntimeException e) {
            fail("want one IOException naming the field, got " + e, e);
        }
        fail("a broken checkpoint loaded: " + file);
        return null;
    }

    static JsonObject with(Consumer<JsonObject> change) {
        JsonObject h = header();
        change.accept(h);
        return h;
    }

    static JsonObject tensor(JsonObject h, int i) {
        return h.getAsJsonArray("tensors").get(i).getAsJsonObject();
    }

    @Test
    void theCraftedBaseLoads(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ckpt.bin");
        write(f, header());
        Checkpoint.Loaded ok = Checkpoint.load(f);
        assertEquals(5, ok.header().iter_num);
        assertEquals(6, ok.tensor("transformer.wte.weight").length);
    }

    @Test
    void headerLengthMustBeNonNegativeAndWithinTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ckpt.bin");
        byte[] json = header().toString().getBytes(StandardCharsets.UTF_8);
        write(f, json, -5, 4 * floats(header()));
        refused(f, "header length", "-5");
        write(f, json, 1 << 30, 4 * floats(header()));
        refused(f, "header length");
        write(f, json, json.length + 4 * (int) floats(header()) + 1, 4 * floats(header()));
        refused(f, "header length");
    }

    @Test
    void requiredFieldsMustBePresent(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ckpt.bin");
        write(f, with(h -> h.remove("model_args")));
        refused(f, "model_args");
        write(f, with(h -> h.remove("tensors")));
        refused(f, "tensors");
        write(f, with(h -> h.add("tensors", new JsonArray())));
        refused(f, "tensors");
        write(f, with(h -> tensor(h, 0).remove("shape")));
        refused(f, "tensors[0]", "shape");
        write(f, with(h -> tensor(h, 1).remove("name")));
        refused(f, "tensors[1]", "name");
        byte[] json = "null".getBytes(StandardCharsets.UTF_8);
        write(f, json, json.length, 0);
        refused(f, "header");
        write(f, with(h -> h.getAsJsonObject("model_args").addProperty("n_head", 0)));
        refused(f, "header", "n_head");
    }

    @Test
    void shapesMustBeNonNegativeAndFitTheDataAndAnInt(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ckpt.bin");
        JsonObject neg = with(h -> tensor(h, 0).add("shape", JsonParser.parseString("[-3, -2]")));
        write(f, neg);
        refused(f, "transformer.wte.weight", "negative");
        JsonObject huge = with(h -> tensor(h, 0).add("shape", JsonParser.parseString("[3000000000, 4000000000]")));
        byte[] json = huge.toString().getBytes(StandardCharsets.UTF_8);
        write(f, json, json.length, 64);
        refused(f, "transformer.wte.weight", "bytes");
        JsonObject overflow = with(h -> tensor(h, 0).add("shape", JsonParser.parseString("[9223372036854775807, 4]")));
        json = overflow.toString().getBytes(StandardCharsets.UTF_8);
        write(f, json, json.length, 64);
        refused(f, "transformer.wte.weight");
        JsonObject h = header();
        json = h.toString().getBytes(StandardCharsets.UTF_8);
        write(f, json, json.length, 4 * floats(h) - 4); // one float short
        refused(f, "bytes");
        write(f, json, json.length, 4 * floats(h) + 8); // data the header does not describe
        refused(f, "not described");
    }

    @Test
    void tensorsMustBeThoseOfTheModelArgs(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ckpt.bin");
        write(f, with(h -> tensor(h, 0).add("shape", JsonParser.parseString("[4, 2]"))));
        refused(f, "transformer.wte.weight", "model_args", "[3, 2]");
        write(f, with(h -> h.getAsJsonArray("tensors").remove(2)));
        refused(f, "is missing", "model_args");
        write(f, with(h -> h.getAsJsonObject("model_args").addProperty("n_layer", 2)));
        refused(f, "transformer.h.1", "missing");
        write(f, with(h -> h.addProperty("vocab", "abcd")));
        refused(f, "vocab", "vocab_size");
        write(f, with(h -> {
            JsonObject t = new JsonObject();
            t.addProperty("name", "optimizer.exp_avg.transformer.wte.weight");
            t.add("shape", JsonParser.parseString("[2, 2]"));
            h.getAsJsonArray("tensors").add(t);
        }));
        refused(f, "optimizer.exp_avg.transformer.wte.weight", "its parameter");
        write(f, with(h -> h.getAsJsonArray("tensors").add(h.getAsJsonArray("tensors").get(0))));
        refused(f, "listed twice");
    }

    @Test
    void theCliSaysItInOneLine(@TempDir Path dir) throws IOException {
        write(dir.resolve("ckpt.bin"), with(h -> h.remove("model_args")));
        String e = Cli.run("sample", "--out_dir=" + dir, "--device=cpu").oneLineError();
        assertTrue(e.contains("model_args") && e.contains(dir.resolve("ckpt.bin").toString()), e);
    }
}

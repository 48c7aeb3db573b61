package gptkit.reliability;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.LoraCheckpoint;
import gptkit.data.Prepare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: a checkpoint knows its data (the sha256 of train.bin, val.bin, vocab.txt). A dataset
 * prepared again under the same name from another text with the same characters passes every
 * vocabulary check; these hashes catch it at resume, and before a fresh run overwrites the model.
 */
class DataIdentityTest {
    static final String ALPHABET = "abcdefgh \n";

    /** Dataset name prepared from the text of seed (every text of ALPHABET has the same vocabulary). */
    static Prepare.Meta prepare(Path data, String name, long seed) throws IOException {
        Prepare.prepareText(DataReliabilityTest.text(seed, ALPHABET), data.resolve(name));
        return Prepare.readMeta(data.resolve(name).resolve("meta.json"));
    }

    static Cli train(Path out, Path data, String dataset, String... extra) {
        String[] all = Arrays.copyOf(extra, extra.length + 2); // trainArgs replaces, never repeats, a key
        all[extra.length] = "--data_dir=" + data;
        all[extra.length + 1] = "--dataset=" + dataset;
        return Cli.run(Cli.trainArgs(out, all));
    }

    @Test
    void aResumeOnADatasetPreparedAgainFromAnotherTextIsRefused(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Path out = tmp.resolve("out");
        Prepare.Meta first = prepare(data, "d", 1);
        Cli c = train(out, data, "d");
        assertEquals(0, c.code, c.err);
        Checkpoint.Header h = Checkpoint.load(out.resolve("ckpt.bin")).header();
        assertEquals(first.train_sha256, h.data.train_sha256);
        assertEquals(first.vocab_sha256, h.data.vocab_sha256);
        byte[] ckpt = Files.readAllBytes(out.resolve("ckpt.bin"));

        Prepare.Meta second = prepare(data, "d", 2);
        assertEquals(first.vocab_sha256, second.vocab_sha256, "the same characters");
        String e = train(out, data, "d", "--init_from=resume", "--max_iters=4").oneLineError();
        assertTrue(e.contains(data.resolve("d").toString()) && e.contains("prepared again")
                && e.contains(first.train_sha256.substring(0, 12)) && e.contains(second.train_sha256.substring(0, 12))
                && e.contains("--allow_other_data=true"), e);
        assertArrayEquals(ckpt, Files.readAllBytes(out.resolve("ckpt.bin")), "the checkpoint is untouched");

        // on purpose: a note, and the checkpoint then records the data it goes on with
        Cli ok = train(out, data, "d", "--init_from=resume", "--max_iters=4", "--allow_other_data=true");
        assertEquals(0, ok.code, ok.err);
        assertTrue(ok.out.contains("note: ") && ok.out.contains("--allow_other_data=true"), ok.out);
        assertEquals(second.train_sha256, Checkpoint.load(out.resolve("ckpt.bin")).header().data.train_sha256);
        assertEquals(0, train(out, data, "d", "--init_from=resume", "--max_iters=6").code, "same data: resumes");
    }

    @Test
    void aFreshRunDoesNotOverwriteTheModelOfTheFirstText(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Path out = tmp.resolve("out");
        prepare(data, "d", 3);
        assertEquals(0, train(out, data, "d").code);
        // a fresh run over another run is refused whatever its data (OutDir.checkOwnership), unless asked for
        assertEquals(0, train(out, data, "d", "--overwrite_out_dir=true").code, "the same data again, on purpose");
        byte[] ckpt = Files.readAllBytes(out.resolve("ckpt.bin"));
        prepare(data, "d", 4);
        String e = train(out, data, "d").oneLineError();
        assertTrue(e.contains(out.toString()) && e.contains("--overwrite_out_dir=true"), e);
        assertArrayEquals(ckpt, Files.readAllBytes(out.resolve("ckpt.bin")));
        assertEquals(0, train(out, data, "d", "--overwrite_out_dir=true").code);
    }

    /** Fine-tuning is meant to change the data (README's chain: poems, then SFT, then LoRA on one poet). */
    @Test
    void fineTuningOnOtherDataIsAllowedAndOldCheckpointsResumeUnchecked(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        prepare(data, "pre", 5);
        Prepare.Meta sft = prepare(data, "sft", 6);
        Path base = tmp.resolve("base");
        assertEquals(0, train(base, data, "pre").code);
        Path tuned = tmp.resolve("tuned");
        Cli ft = train(tuned, data, "sft", "--init_from=" + base);
        assertEquals(0, ft.code, ft.err);
        assertEquals(sft.train_sha256, Checkpoint.load(tuned.resolve("ckpt.bin")).header().data.train_sha256);
        assertEquals(0, train(tuned, data, "sft", "--init_from=resume", "--max_iters=4").code);

        // LoRA adapters record their data too: resumed on a dataset prepared again, they are refused
        Path lora = tmp.resolve("lora");
        assertEquals(0, train(lora, data, "sft", "--init_from=" + tuned, "--lora_rank=2").code);
        assertEquals(sft.train_sha256, LoraCheckpoint.load(lora.resolve("lora.bin")).header().data.train_sha256);
        prepare(data, "sft", 7);
        String e = train(lora, data, "sft", "--init_from=resume", "--lora_rank=2", "--max_iters=4").oneLineError();
        assertTrue(e.contains("--allow_other_data=true") && e.contains(sft.train_sha256.substring(0, 12)), e);

        // a checkpoint from before the hashes were recorded resumes without the check
        withoutData(base.resolve("ckpt.bin"));
        assertNull(Checkpoint.load(base.resolve("ckpt.bin")).header().data);
        Cli old = train(base, data, "sft", "--init_from=resume", "--max_iters=4");
        assertEquals(0, old.code, old.err);
        assertFalse(old.err.contains("error"), old.err);
    }

    /** Rewrites a checkpoint as an older gptkit wrote it: no "data" in its header (a fresh CRC). */
    static void withoutData(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int magic = "GPTKIT-CKPT-1\n".length();
        int len = ByteBuffer.wrap(all, magic, 4).getInt();
        JsonObject h = JsonParser.parseString(new String(all, magic + 4, len, StandardCharsets.UTF_8)).getAsJsonObject();
        assertTrue(h.remove("data") != null);
        byte[] json = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            out.write(all, 0, magic);
            out.writeInt(json.length);
            out.write(json);
            out.write(all, magic + 4 + len, all.length - 8 - (magic + 4 + len));
        }
        CRC32 crc = new CRC32();
        crc.update(b.toByteArray());
        b.write(ByteBuffer.allocate(8).putLong(crc.getValue()).array());
        Files.write(file, b.toByteArray());
    }
}

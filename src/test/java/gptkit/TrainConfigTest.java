package gptkit;

import gptkit.config.TrainConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainConfigTest {
    @Test
    void presetsCarryNanoGPTsRecipes() {
        TrainConfig gpu = TrainConfig.preset("shakespeare_char");
        assertEquals(List.of(6, 6, 384, 256, 64), List.of(gpu.n_layer, gpu.n_head, gpu.n_embd, gpu.block_size, gpu.batch_size));
        assertEquals(0.2, gpu.dropout);
        assertEquals(1e-3, gpu.learning_rate);
        assertEquals(1e-4, gpu.min_lr);
        assertEquals(0.99, gpu.beta2);
        assertEquals(100, gpu.warmup_iters);
        assertEquals(5000, gpu.max_iters);
        assertEquals(250, gpu.eval_interval);
        assertEquals(200, gpu.eval_iters);
        TrainConfig cpu = TrainConfig.preset("shakespeare_char_cpu");
        assertEquals(List.of(4, 4, 128, 64, 12), List.of(cpu.n_layer, cpu.n_head, cpu.n_embd, cpu.block_size, cpu.batch_size));
        assertEquals(List.of(2000, 2000, 20), List.of(cpu.max_iters, cpu.lr_decay_iters, cpu.eval_iters));
        assertEquals(0.0, cpu.dropout);
    }

    @Test
    void trainHelpListsEveryOverrideAndUnknownKeysAreOneLineErrors() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = gptkit.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        assertEquals(0, cl.execute("train", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        for (String key : TrainConfig.preset("default").toMap().keySet()) {
            assertTrue(help.contains("--" + key + "="), "train --help lists --" + key + ": " + help);
        }
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            assertEquals(2, gptkit.cli.Main.commandLine().execute("train", "shakespeare_char_cpu", "--n_embed=64"));
        } finally {
            System.setErr(stderr);
        }
        String msg = captured.toString();
        assertTrue(msg.startsWith("error: ") && msg.contains("n_embed") && msg.strip().lines().count() == 1, msg);
    }

    @Test
    void overridesUseNanoGPTNames() {
        TrainConfig c = TrainConfig.preset("shakespeare_char");
        List<String> rest = c.apply("--max_iters=100", "--decay_lr=false", "--learning_rate=3e-4", "--device=cpu", "x");
        assertEquals(100, c.max_iters);
        assertFalse(c.decay_lr);
        assertEquals(3e-4, c.learning_rate);
        assertEquals("cpu", c.device);
        assertEquals(List.of("x"), rest);
    }

    @Test
    void unknownKeyOrWrongTypeIsAClearError() {
        TrainConfig c = new TrainConfig();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.apply("--n_layers=4"));
        assertTrue(e.getMessage().contains("Unknown config key: n_layers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.apply("--n_layer=four"));
        assertTrue(e.getMessage().contains("n_layer") && e.getMessage().contains("int"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.apply("--bias=yes"));
        assertTrue(e.getMessage().contains("boolean"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.apply("--n_layer"));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.preset("gpt5"));
    }

    @Test
    void presetsAreFilesAndEveryPresetIsValid() {
        for (String name : TrainConfig.PRESETS) {
            TrainConfig c = TrainConfig.preset(name);
            c.validate();
            assertEquals(c.toMap(), c.copy().toMap(), name + ": a copy has the same settings");
        }
        TrainConfig songci = TrainConfig.preset("songci_cpu"); // base = shakespeare_char_cpu, then its own lines
        assertEquals(List.of("songci", "out-songci", 128, 2000), List.of(songci.dataset, songci.out_dir,
                songci.n_embd, songci.max_iters));
        assertEquals(3e-4, TrainConfig.preset("songci").learning_rate);
    }

    @Test
    void aConfigFileOfYourOwnIsReadLikeOverrides(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path f = dir.resolve("mine.conf");
        java.nio.file.Files.writeString(f, "# my run\nbase = shakespeare_char_cpu\nmax_iters = 300  # short\n"
                + "out_dir = out-#1\n\nlearning_rate=2e-3\n");
        TrainConfig c = TrainConfig.preset(f.toString());
        assertEquals(List.of(300, 128, "out-#1"), List.of(c.max_iters, c.n_embd, c.out_dir));
        assertEquals(2e-3, c.learning_rate);
        java.nio.file.Files.writeString(f, "max_iters = 300\nn_layers = 2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.preset(f.toString()));
        assertTrue(e.getMessage().contains("mine.conf, line 2") && e.getMessage().contains("n_layers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.preset(dir.resolve("none.conf").toString()));
        assertTrue(e.getMessage().contains("not a preset") && e.getMessage().contains("shakespeare_char_cpu"),
                e.getMessage());
    }

    @Test
    void onlySettingsAreKeys() {
        TrainConfig c = new TrainConfig();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.apply("--PRESETS=x"));
        assertTrue(e.getMessage().startsWith("Unknown config key: PRESETS"), e.getMessage());
        assertFalse(c.toMap().containsKey("PRESETS"));
    }

    @Test
    void validateHoldsEveryRuleAndNamesTheKey() {
        String[][] bad = {
            {"--max_iters=-1", "max_iters"}, {"--batch_size=0", "batch_size"}, {"--eval_iters=0", "eval_iters"},
            {"--n_head=5", "n_head"}, {"--dropout=1.0", "dropout"}, {"--init_from=", "init_from"},
            {"--dtype=bfloat16", "--dtype=float16"}, {"--dtype=int8", "dtype"}, {"--out_dir=", "out_dir"},
            {"--warmup_iters=3000", "lr_decay_iters"}, {"--learning_rate=0", "learning_rate"},
        };
        for (String[] b : bad) {
            TrainConfig c = TrainConfig.preset("shakespeare_char_cpu");
            c.apply(b[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::validate, b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + ": " + e.getMessage());
        }
        TrainConfig ok = TrainConfig.preset("shakespeare_char_cpu");
        ok.apply("--max_iters=0");
        ok.validate(); // max_iters=0 trains one step, as train.py does
    }

    @Test
    void aFrozenConfigRefusesChanges() {
        TrainConfig c = TrainConfig.preset("default").freeze();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.apply("--max_iters=5"));
        assertTrue(e.getMessage().contains("frozen"), e.getMessage());
        TrainConfig copy = c.copy();
        copy.apply("--max_iters=5"); // a copy is not frozen
        assertEquals(5, copy.max_iters);
        assertEquals(600000, c.max_iters);
    }
}

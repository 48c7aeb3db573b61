package gptkit.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * train.py's global settings, with nanoGPT's names and defaults. A preset (nanoGPT's config/
 * files) is applied first, then {@code --key=value} overrides, like nanoGPT's configurator.
 */
@SuppressWarnings("checkstyle:MemberName")
public final class TrainConfig {
    // I/O
    public String out_dir = "out";
    public int eval_interval = 2000;
    public int log_interval = 1;
    public int eval_iters = 200;
    public boolean eval_only = false;
    public boolean always_save_checkpoint = true;
    public String init_from = "scratch"; // 'scratch' or 'resume'
    // data
    public String dataset = "shakespeare_char";
    public String data_dir = "data";
    public int gradient_accumulation_steps = 40; // 5 * 8, nanoGPT's default
    public int batch_size = 12;
    public int block_size = 1024;
    // model
    public int n_layer = 12;
    public int n_head = 12;
    public int n_embd = 768;
    public double dropout = 0.0;
    public boolean bias = false;
    // AdamW
    public double learning_rate = 6e-4;
    public int max_iters = 600000;
    public double weight_decay = 1e-1;
    public double beta1 = 0.9;
    public double beta2 = 0.95;
    public double grad_clip = 1.0; // 0 disables clipping
    // learning-rate decay
    public boolean decay_lr = true;
    public int warmup_iters = 2000;
    public int lr_decay_iters = 600000;
    public double min_lr = 6e-5;
    // system
    public String device = "auto"; // auto, cpu, cuda, cuda:N
    public String dtype = "float32"; // float32 | float16 | bfloat16
    public long seed = 1337;
    public double peak_flops = 312e12; // for MFU; nanoGPT compares against an A100's bf16 peak
    public int ddp_timeout = 600; // seconds a rank waits for the others before it gives up
    public boolean progress = true; // console progress bar
    public boolean charts = true; // write lr.png and loss.png beside the log

    /** The presets: nanoGPT's config files, plus the CPU recipe of its README, plus Song ci. */
    public static final List<String> PRESETS =
            List.of("default", "shakespeare_char", "shakespeare_char_cpu", "songci", "songci_cpu");

    public static TrainConfig preset(String name) {
        TrainConfig c = new TrainConfig();
        switch (name) {
            case "default" -> { }
            case "shakespeare_char" -> c.shakespeareChar();
            case "shakespeare_char_cpu" -> {
                c.shakespeareChar();
                c.cpuRecipe();
            }
            case "songci" -> {
                c.shakespeareChar();
                c.songci();
                c.learning_rate = 3e-4; // the BabyGPT Song-ci recipe
                c.min_lr = 3e-5;
            }
            case "songci_cpu" -> {
                c.shakespeareChar();
                c.cpuRecipe();
                c.songci();
            }
            default -> throw new IllegalArgumentException(
                    "Unknown config '" + name + "'. Known: " + String.join(", ", PRESETS));
        }
        return c;
    }

    /** nanoGPT README's overrides for a machine without a GPU ("I only have a macbook"). */
    private void cpuRecipe() {
        device = "cpu";
        eval_iters = 20;
        log_interval = 1;
        block_size = 64;
        batch_size = 12;
        n_layer = 4;
        n_head = 4;
        n_embd = 128;
        max_iters = 2000;
        lr_decay_iters = 2000;
        dropout = 0.0;
    }

    private void songci() {
        out_dir = "out-songci";
        dataset = "songci";
    }

    /** nanoGPT's config/train_shakespeare_char.py. */
    private void shakespeareChar() {
        out_dir = "out-shakespeare-char";
        eval_interval = 250;
        eval_iters = 200;
        log_interval = 10;
        always_save_checkpoint = false;
        dataset = "shakespeare_char";
        gradient_accumulation_steps = 1;
        batch_size = 64;
        block_size = 256;
        n_layer = 6;
        n_head = 6;
        n_embd = 384;
        dropout = 0.2;
        learning_rate = 1e-3;
        max_iters = 5000;
        lr_decay_iters = 5000;
        min_lr = 1e-4;
        beta2 = 0.99;
        warmup_iters = 100;
    }

    /**
     * Applies overrides of the form --key=value (keys as above; true/false for flags).
     * An unknown key or a value of the wrong type is an error that names the key.
     * Returns the arguments that are not overrides (e.g. a preset name).
     */
    public List<String> apply(String... args) {
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                rest.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("Override '" + arg + "' needs a value: --key=value");
            }
            set(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return rest;
    }

    /** Sets one setting by its nanoGPT name from its text form. */
    public void set(String key, String value) {
        Field f;
        try {
            f = TrainConfig.class.getField(key);
        } catch (NoSuchFieldException e) {
            throw new IllegalArgumentException("Unknown config key: " + key + ". Known keys: "
                    + String.join(", ", toMap().keySet()));
        }
        try {
            Class<?> t = f.getType();
            if (t == int.class) {
                f.setInt(this, Integer.parseInt(value));
            } else if (t == long.class) {
                f.setLong(this, Long.parseLong(value));
            } else if (t == double.class) {
                f.setDouble(this, Double.parseDouble(value));
            } else if (t == boolean.class) {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw new NumberFormatException();
                }
                f.setBoolean(this, Boolean.parseBoolean(value));
            } else {
                f.set(this, value);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Config key " + key + " wants a value of type "
                    + f.getType().getSimpleName() + ", got '" + value + "'");
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** All settings by name, in declaration order (saved in checkpoints). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : TrainConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                m.put(f.getName(), f.get(this));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }

    /**
     * Tokens one optimizer step sees: gradient_accumulation_steps x batch x block. With DDP each
     * of the world_size ranks does gradient_accumulation_steps / world_size of the micro-steps.
     */
    public long tokensPerIter() {
        return (long) gradient_accumulation_steps * batch_size * block_size;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        toMap().forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }
}

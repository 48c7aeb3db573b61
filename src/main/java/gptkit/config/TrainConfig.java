package gptkit.config;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * train.py's global settings, with nanoGPT's names and defaults. A config file (a preset among
 * the kit's resources, config/NAME.conf, like nanoGPT's config/ files, or a file of your own) is
 * applied first, then {@code --key=value} overrides, like nanoGPT's configurator; both go
 * through {@link #set}. {@link #validate} holds every rule. A trainer works on a validated,
 * frozen copy: your object is never changed by it.
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
    public boolean overwrite_out_dir = false; // start from scratch over another dataset's checkpoint
    public boolean allow_other_data = false; // resume on other data than the checkpoint's (e.g. a dataset prepared again)
    public String init_from = "scratch"; // 'scratch', 'resume', or the out_dir of a model to fine-tune
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
    // LoRA (fine-tuning from init_from=DIR): 0 trains every weight; r > 0 trains rank-r adapters only
    public int lora_rank = 0;
    public double lora_alpha = 16.0; // the update is scaled by lora_alpha / lora_rank
    public String lora_targets = "attn.c_attn,attn.c_proj,mlp.c_fc,mlp.c_proj"; // the adapted projections
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
    // off, or tensorboard: TensorBoard event files in out_dir (README "Tracking runs"); the default
    // comes from the environment variable GPTKIT_TRACKING, so a class can switch a whole sweep on
    public String tracking = System.getenv().getOrDefault("GPTKIT_TRACKING", "off");

    /** The presets: nanoGPT's config files, plus the CPU recipe of its README, plus Song ci. */
    public static final List<String> PRESETS =
            List.of("default", "shakespeare_char", "shakespeare_char_cpu", "songci", "songci_cpu",
                    "songci_poems_cpu", "songci_sft_cpu");

    private boolean frozen;

    /**
     * A preset (a file config/NAME.conf among the kit's resources) or the path of a config file
     * of your own, applied over train.py's defaults.
     */
    public static TrainConfig preset(String nameOrFile) {
        TrainConfig c = new TrainConfig();
        c.load(nameOrFile, 0);
        return c;
    }

    /**
     * Reads {@code key = value} lines (nanoGPT's config/*.py as data): # starts a comment,
     * {@code base = NAME} first applies another preset or file. Values are parsed like --key=value.
     */
    private void load(String nameOrFile, int depth) {
        if (depth > 8) {
            throw new IllegalArgumentException("Config '" + nameOrFile + "': too many nested 'base =' lines");
        }
        String where;
        List<String> lines;
        try (InputStream in = TrainConfig.class.getResourceAsStream("/config/" + nameOrFile + ".conf")) {
            if (in != null && PRESETS.contains(nameOrFile)) {
                where = "preset " + nameOrFile;
                lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            } else if (Files.isRegularFile(Path.of(nameOrFile))) {
                where = nameOrFile;
                lines = Files.readAllLines(Path.of(nameOrFile), StandardCharsets.UTF_8);
            } else {
                throw new IllegalArgumentException("Unknown config '" + nameOrFile + "': not a preset ("
                        + String.join(", ", PRESETS) + ") and no such file. Give a preset name or the path of "
                        + "a file of 'key = value' lines.");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read config " + nameOrFile + ": " + e.getMessage(), e);
        }
        Map<String, Integer> seen = new LinkedHashMap<>(); // key -> line: a key set twice in one file is a mistake
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).replaceFirst("(^|\\s)#.*$", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(where + ", line " + (n + 1) + ": '" + line
                        + "' is not of the form key = value");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Integer first = seen.putIfAbsent(key, n);
            if (first != null) {
                throw new IllegalArgumentException(String.format("%s sets %s twice: line %d (%s = %s) and line %d "
                        + "(%s = %s). Keep one of them (a file's later line does not silently win).", where, key,
                        first + 1, key, lines.get(first).replaceFirst("^[^=]*=", "").replaceFirst("(^|\\s)#.*$", "")
                                .strip(), n + 1, key, value));
            }
            try {
                if (key.equals("base")) {
                    load(value, depth + 1);
                } else {
                    set(key, value);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ", line " + (n + 1) + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Applies overrides of the form --key=value (keys as above; true/false for flags).
     * An unknown key or a value of the wrong type is an error that names the key.
     * Returns the arguments that are not overrides (e.g. a preset name).
     */
    public List<String> apply(String... args) {
        List<String> rest = new ArrayList<>();
        Map<String, String> given = new LinkedHashMap<>(); // a key given twice is a mistake, not "the last wins"
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                rest.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("Override '" + arg + "' needs a value: --key=value");
            }
            String key = arg.substring(2, eq);
            String before = given.putIfAbsent(key, arg.substring(eq + 1));
            if (before != null) {
                throw new IllegalArgumentException(String.format("--%s is given twice (--%s=%s and --%s=%s): give it "
                        + "once.", key, key, before, key, arg.substring(eq + 1)));
            }
            set(key, arg.substring(eq + 1));
        }
        return rest;
    }

    /** Sets one setting by its nanoGPT name from its text form. */
    public void set(String key, String value) {
        if (frozen) {
            throw new IllegalStateException("This config belongs to a running trainer and is frozen: change a "
                    + "copy (TrainConfig.copy()) and build a new Trainer with it.");
        }
        Field f = setting(key);
        if (f == null) {
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

    /** The public instance field of a setting; null for anything else (PRESETS, a typo). */
    private static Field setting(String key) {
        try {
            Field f = TrainConfig.class.getField(key);
            return Modifier.isStatic(f.getModifiers()) ? null : f;
        } catch (NoSuchFieldException e) {
            return null;
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

    /** An unfrozen copy with the same settings. */
    public TrainConfig copy() {
        TrainConfig c = new TrainConfig();
        toMap().forEach((k, v) -> c.set(k, String.valueOf(v)));
        return c;
    }

    /** After this, set and apply refuse: the trainer's copy is frozen once it has been validated. */
    public TrainConfig freeze() {
        frozen = true;
        return this;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /**
     * Every rule a config must follow, checked in one place before anything is built or
     * connected; the message names the key and what to do. Every key has its rule here (strings
     * that name a file or folder are checked where they are opened; booleans and seed take any
     * value).
     */
    public void validate() {
        positive("gradient_accumulation_steps", gradient_accumulation_steps);
        positive("batch_size", batch_size);
        positive("block_size", block_size);
        positive("eval_interval", eval_interval);
        positive("log_interval", log_interval);
        positive("eval_iters", eval_iters);
        positive("n_layer", n_layer);
        positive("n_head", n_head);
        positive("n_embd", n_embd);
        positive("ddp_timeout", ddp_timeout);
        if (ddp_timeout > 7 * 24 * 3600) { // milliseconds of it must fit an int, and a week is no timeout
            throw new IllegalArgumentException("ddp_timeout is in seconds and must be at most 604800 (a week), got "
                    + ddp_timeout);
        }
        if (max_iters < 0) {
            throw new IllegalArgumentException("max_iters must be >= 0 (the last iteration trained; 0 trains one "
                    + "step), got " + max_iters);
        }
        if (warmup_iters < 0 || lr_decay_iters < 0) {
            throw new IllegalArgumentException(String.format("warmup_iters and lr_decay_iters must be >= 0, got "
                    + "warmup_iters=%d, lr_decay_iters=%d", warmup_iters, lr_decay_iters));
        }
        if (n_embd % n_head != 0) {
            throw new IllegalArgumentException(String.format("n_embd %% n_head must be 0 (each head gets "
                    + "n_embd/n_head channels), got n_embd=%d, n_head=%d. Pick n_head among the divisors of n_embd.",
                    n_embd, n_head));
        }
        // doubles: NaN and Infinity (1e309 parses to Infinity) pass no rule
        for (String key : List.of("dropout", "lora_alpha", "learning_rate", "weight_decay", "beta1", "beta2",
                "grad_clip", "min_lr", "peak_flops")) {
            double v = (double) toMap().get(key);
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(key + " must be a finite number, got " + v
                        + (Double.isInfinite(v) ? " (a value beyond 1.8e308 reads as Infinity)" : ""));
            }
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(learning_rate > 0) || min_lr < 0) {
            throw new IllegalArgumentException(String.format("learning_rate must be > 0 and min_lr >= 0, got "
                    + "learning_rate=%g, min_lr=%g", learning_rate, min_lr));
        }
        for (String key : List.of("beta1", "beta2")) {
            double b = (double) toMap().get(key);
            if (b < 0 || b >= 1) { // beta = 1 never forgets the first gradient, and bias correction divides by 0
                throw new IllegalArgumentException(key + " must be in [0, 1) (AdamW's decay of its moving "
                        + "average; nanoGPT: beta1=0.9, beta2=0.95), got " + b);
            }
        }
        if (weight_decay < 0) {
            throw new IllegalArgumentException("weight_decay must be >= 0 (0: none; nanoGPT: 0.1), got "
                    + weight_decay);
        }
        if (grad_clip < 0) {
            throw new IllegalArgumentException("grad_clip must be >= 0 (0 disables clipping; nanoGPT: 1.0), got "
                    + grad_clip);
        }
        if (!(peak_flops > 0)) {
            throw new IllegalArgumentException("peak_flops must be > 0 (the hardware's peak FLOP/s, for MFU; "
                    + "nanoGPT: 312e12), got " + peak_flops);
        }
        if (decay_lr && lr_decay_iters <= warmup_iters) {
            throw new IllegalArgumentException(String.format(
                    "lr_decay_iters (%d) must be larger than warmup_iters (%d) when decay_lr is on",
                    lr_decay_iters, warmup_iters));
        }
        if (init_from.isBlank()) {
            throw new IllegalArgumentException("init_from must be 'scratch', 'resume' or the out_dir of a trained "
                    + "model to fine-tune (./gptkit finetune), got an empty value");
        }
        if (lora_rank < 0) {
            throw new IllegalArgumentException("lora_rank must be >= 0 (0: no LoRA, every weight trains), got "
                    + lora_rank);
        }
        if (lora_rank > n_embd) { // A is r x n_embd: a rank above n_embd adds parameters and nothing else
            throw new IllegalArgumentException("lora_rank must be at most n_embd (" + n_embd + "): an update of rank "
                    + "r to an n_embd-wide projection cannot have a rank above n_embd; got " + lora_rank);
        }
        if (lora_rank > 0 && !(lora_alpha > 0)) {
            throw new IllegalArgumentException("lora_alpha must be > 0 with lora_rank > 0, got " + lora_alpha);
        }
        if (lora_rank > 0 && init_from.equals("scratch")) {
            throw new IllegalArgumentException("lora_rank=" + lora_rank + " adapts a trained model: give "
                    + "--init_from=DIR, the out_dir of the base checkpoint (or resume a LoRA run with "
                    + "--init_from=resume)");
        }
        if (out_dir.isBlank()) {
            throw new IllegalArgumentException("out_dir is empty: give the folder for the checkpoint and log, "
                    + "e.g. --out_dir=out-" + dataset);
        }
        if (dataset.isBlank() || data_dir.isBlank()) {
            throw new IllegalArgumentException("dataset and data_dir must not be empty (e.g. --dataset=shakespeare_char "
                    + "--data_dir=data), got dataset='" + dataset + "', data_dir='" + data_dir + "'");
        }
        if (!device.matches("auto|cpu|cuda|cuda:[0-9]{1,4}")) {
            throw new IllegalArgumentException("device must be auto, cpu, cuda or cuda:N (N the GPU's number), got '"
                    + device + "'");
        }
        if (!tracking.equals("off") && !tracking.equals("tensorboard")) {
            throw new IllegalArgumentException("tracking must be off or tensorboard (--tracking=tensorboard writes "
                    + "TensorBoard event files into out_dir; the environment variable GPTKIT_TRACKING sets the "
                    + "default), got '" + tracking + "'");
        }
        switch (dtype) {
            case "float32", "float16" -> { }
            case "bfloat16" -> throw new IllegalArgumentException("dtype=bfloat16 is not supported: DJL 0.35.1's "
                    + "PyTorch engine aborts the JVM on bfloat16 tensors (and toType cuts the autograd graph). "
                    + "Use --dtype=float16 (mixed precision with a GradScaler) or --dtype=float32.");
            default -> throw new IllegalArgumentException("dtype must be float32, float16 or bfloat16, got " + dtype);
        }
        // sizes whose products overflow an int or pass memory: the vocabulary is not known yet, so at least 1
        // character (the trainer checks again with it, and with the device it resolved)
        Footprint.training(block_size, 1, n_layer, n_head, n_embd, bias, batch_size, lora_rank == 0, dtype)
                .check(device.equals("cpu") ? Footprint.physicalMemory() : 0);
    }

    private static void positive(String key, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, got " + value);
        }
    }

    /**
     * nanoGPT's rule: each rank does gradient_accumulation_steps / world_size micro-steps, so the
     * number of sequences per optimizer step stays the same whatever the number of processes.
     */
    public int accumulationPerRank(int worldSize) {
        if (gradient_accumulation_steps % worldSize != 0) {
            throw new IllegalArgumentException(String.format("gradient_accumulation_steps (%d) must be divisible "
                    + "by the number of processes (%d): each rank does an equal share of the micro-steps. "
                    + "Use --gradient_accumulation_steps=%d or another multiple of %d.",
                    gradient_accumulation_steps, worldSize,
                    Math.max(worldSize, gradient_accumulation_steps / worldSize * worldSize), worldSize));
        }
        return gradient_accumulation_steps / worldSize;
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

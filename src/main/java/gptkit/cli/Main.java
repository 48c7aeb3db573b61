package gptkit.cli;

import gptkit.checkpoint.Checkpoint;
import gptkit.checkpoint.LoraCheckpoint;
import gptkit.config.TrainConfig;
import gptkit.data.CharTokenizer;
import gptkit.data.Prepare;
import gptkit.engine.Engines;
import gptkit.engine.PeakMemory;
import gptkit.exercises.StudentParts;
import gptkit.model.GPT;
import gptkit.outdir.OutDir;
import gptkit.sample.Sample;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * The gptkit command line. Its help is made from the command table below (every subcommand), the
 * launcher's own commands and the preset files (Help): nothing in it is a hand-kept list.
 */
@Command(name = "gptkit", mixinStandardHelpOptions = true, version = "gptkit 0.1.0",
        subcommands = {Main.PrepareCmd.class, Main.TrainCmd.class, FinetuneCmd.class, FormMatchCmd.class,
            Main.SampleCmd.class, Main.LoraMergeCmd.class, BenchCmd.class, CompareCmd.class, TorchrunCmd.class},
        description = "nanoGPT's train.py in Java: prepare a corpus, train a GPT, sample from it.",
        commandListHeading = "%nCommands:%n")
public final class Main implements Runnable {

    public static void main(String[] args) {
        Engines.class.getName(); // sets the engine's offline and logging properties first
        gptkit.ddp.Heartbeat.start(); // a torchrun worker beats from its first second: the launcher tells silent from slow
        System.exit(commandLine().execute(args));
    }

    /** The command line with its subcommands, overrides and error handling. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        Renamed.addCommands(cl); // formmatch: one line naming form-match
        cl.setUnmatchedOptionsArePositionalParams(true); // nanoGPT-style --key=value overrides
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, Help::footer);
        String keys = TrainConfig.preset("default").toMap().entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining("  "));
        for (String cmd : new String[] {"train", "finetune", "bench"}) {
            cl.getSubcommands().get(cmd).getCommandSpec().usageMessage().footer("%nOverrides, with nanoGPT's names "
                    + "(values of the 'default' config; a preset changes some):%n" + keys);
        }
        // a flag picocli cannot parse (--num_samples=abc, a flag given twice): one line, not the whole usage
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
            e.getCommandLine().getErr().println("error: " + e.getMessage().strip().replace('\n', ' ')
                    + (e.getMessage().strip().endsWith(".") ? "" : ".") + " See ./" + spec.qualifiedName() + " --help.");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // one clear line for a user mistake; the stack trace only for a real bug
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof java.io.IOException) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** A preset name (or config file) plus nanoGPT-style --key=value overrides. */
    static TrainConfig config(String preset, List<String> overrides) {
        TrainConfig c = TrainConfig.preset(preset);
        c.apply(overrides.toArray(new String[0]));
        c.out_dir = OutDir.resolve(c.out_dir, c.dataset, overrides); // --dataset=X alone trains into out-X
        return c;
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = "Write data/<dataset>/{train.bin,val.bin,vocab.txt,meta.json}: prepare <dataset>, "
                    + "or prepare --text=FILE [--name=NAME] for any UTF-8 text file of your own.")
    static final class PrepareCmd implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1",
                description = "shakespeare_char (default) or songci (or any folder under --data_dir holding input.txt)")
        String dataset;
        @Option(names = "--text", description = "a UTF-8 text file of your own to prepare as a dataset")
        Path text;
        @Option(names = "--name", description = "with --text: the dataset's name (default: the file's base name)")
        String name;
        @Option(names = "--data_dir", defaultValue = "data") String dataDir;

        @Override
        public Integer call() throws Exception {
            if (text != null) {
                if (dataset != null && name != null && !dataset.equals(name)) {
                    throw new IllegalArgumentException("prepare got both a dataset (" + dataset + ") and --text="
                            + text + ": give one; name your text's dataset with --name=NAME.");
                }
                Prepare.Result r = Prepare.prepareFile(text, name != null ? name : dataset, Path.of(dataDir));
                String n = r.dir().getFileName().toString();
                System.out.printf("prepared %s as dataset '%s'. Train on it: ./gptkit train shakespeare_char_cpu "
                        + "--dataset=%s --out_dir=out-%s%s%n", text, n, n, n,
                        dataDir.equals("data") ? "" : " --data_dir=" + dataDir);
                return 0;
            }
            if (name != null) {
                throw new IllegalArgumentException("--name=" + name + " names the dataset of --text=FILE: "
                        + "give the text file too, e.g. ./gptkit prepare --text=my.txt --name=" + name);
            }
            Prepare.prepare(dataset == null ? "shakespeare_char" : dataset, Path.of(dataDir));
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a GPT like train.py: train <config> "
            + "[--key=value ...], <config> a preset (see ./gptkit --help) or a file.")
    static final class TrainCmd implements Callable<Integer> {
        @Parameters(index = "0", description = "a preset name or the path of a config file of key = value lines")
        String preset;
        @Parameters(index = "1..*", arity = "0..*", description = "--key=value overrides") List<String> overrides = new ArrayList<>();
        @Option(names = "--sample", paramLabel = "N", description = "print a sample of N characters at the end",
                defaultValue = "0")
        int sample;
        @Option(names = "--start", paramLabel = "TEXT", description = "the prompt of --sample (default: a newline; 春江 for Song ci)")
        String start;
        @Option(names = "--parts", defaultValue = "library", description = "library (default), or exercises: "
                + "train with your solved exercises (exercises/*.java) in place of the library's parts")
        String parts;

        @Override
        public Integer call() throws Exception {
            if (sample != 0) { // 0: no sample
                Sample.checkMaxNewTokens("--sample", sample, start == null ? 2 : start.codePointCount(0, start.length()));
            } else if (start != null) { // a prompt nothing would use: say so rather than ignore it
                throw new IllegalArgumentException("--start=" + start + " is the prompt of the sample at the end: "
                        + "give --sample=N too (N characters)");
            }
            TrainConfig cfg = config(preset, overrides);
            Parts chosen = switch (parts) {
                case "library" -> Parts.library();
                case "exercises" -> {
                    // the kit's folder: ./gptkit says where it is; otherwise the current folder
                    StudentParts.Plugged p = StudentParts.fromExercises(Path.of(System.getProperty("gptkit.home", "")));
                    int n = p.students().size(), all = Part.values().length;
                    System.out.println("parts: " + n + " of " + all + " are yours (exercises/)"
                            + (n == all ? ":" : n == 0 ? ", all the library's:" : ", the others the library's:"));
                    p.report().forEach(System.out::println);
                    yield p.parts();
                }
                default -> throw new IllegalArgumentException("--parts=" + parts + ": use library or exercises");
            };
            try (Trainer t = new Trainer(cfg, chosen)) {
                // the sample's prompt, checked before training: a corpus without it starts from its first character
                String usual = start != null ? start : samplePrompt(cfg.dataset, null);
                String prompt = start != null ? start : samplePrompt(cfg.dataset, t.tokenizer());
                if (sample > 0 && start != null) {
                    checkPrompt("--start", start, t.tokenizer(), Path.of(cfg.data_dir, cfg.dataset));
                }
                if (sample > 0 && t.isMaster() && !prompt.equals(usual)) {
                    System.out.printf("--sample: the vocabulary of %s has no %s; the sample starts from '%s', its "
                            + "first character%n", cfg.dataset, usual.equals("\n") ? "newline" : usual, prompt);
                }
                long start = System.nanoTime();
                Trainer.Result r;
                try (CtrlC c = new CtrlC(t)) {
                    r = t.run();
                }
                if (t.ddp().worldSize() > 1) {
                    // one write, so the lines of several ranks sharing a terminal do not interleave
                    System.out.print(String.format("ddp rank %d: %d all-reduces for %d optimizer steps, %.2f s in "
                                    + "all-reduce, parameter checksum %s%n", t.ddp().rank(), t.ddp().allReduceCount(),
                            t.optimizer().stepCount(), t.ddp().allReduceSeconds(), t.model().checksum()));
                    System.out.flush();
                }
                if (!t.isMaster()) {
                    return 0;
                }
                if (t.stopped()) {
                    System.err.println(CtrlC.stoppedLine(t, "train", preset, overrides));
                    return CtrlC.EXIT;
                }
                System.out.printf("done: %d iterations in %.1f s, best val loss %.4f, %s, log and charts in %s%n",
                        r.iterNum(), (System.nanoTime() - start) / 1e9, r.bestValLoss(), PeakMemory.describe(),
                        t.outDir());
                String none = t.noCheckpointWarning();
                if (none != null) {
                    System.err.println(none);
                }
                if (sample > 0) {
                    String text = Sample.sample(t.model(), t.tokenizer(), prompt, sample, 0.8, 200,
                            new SplittableRandom(cfg.seed));
                    System.out.println("---------------");
                    System.out.println(text);
                    System.out.println("---------------");
                    t.note("sample", text); // --tracking: beside the run's curves
                }
            }
            return 0;
        }
    }

    /** train --sample's prompt without --start: nanoGPT's newline ("春江" for Song ci), or the vocabulary's first character if absent. */
    static String samplePrompt(String dataset, CharTokenizer tok) {
        String p = dataset.startsWith("songci") ? "春江" : "\n";
        try {
            if (tok != null) {
                tok.encode(p);
            }
            return p;
        } catch (IllegalArgumentException e) {
            return tok.chars().substring(0, tok.chars().offsetByCodePoints(0, 1));
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, description = "Sample from a trained model, like sample.py.")
    static final class SampleCmd implements Callable<Integer> {
        @Option(names = "--out_dir", defaultValue = "out-shakespeare-char") String outDir;
        @Option(names = "--start", defaultValue = "\n", description = "the prompt, e.g. ROMEO: or 春江") String start;
        @Option(names = "--num_samples", defaultValue = "3") int numSamples;
        @Option(names = "--max_new_tokens", defaultValue = "500") int maxNewTokens;
        @Option(names = "--temperature", defaultValue = "0.8") double temperature;
        @Option(names = "--top_k", defaultValue = "200") int topK;
        @Option(names = "--seed", defaultValue = "1337") long seed;
        @Option(names = "--device", defaultValue = "auto") String device;

        @Override
        public Integer call() throws Exception {
            // every flag before the checkpoint is read
            if (numSamples < 1) {
                throw new IllegalArgumentException("--num_samples=" + numSamples + ": give 1 or more samples");
            }
            Sample.checkMaxNewTokens("--max_new_tokens", maxNewTokens, start.codePointCount(0, start.length()));
            Sample.checkTemperature("--temperature", temperature);
            Sample.checkTopK("--top_k", topK);
            try (Checkpoint.Trained trained = Checkpoint.loadModel(Path.of(outDir), Engines.device(device), seed)) {
                GPT model = trained.model();
                CharTokenizer tok = CharTokenizer.fromChars(trained.header().vocab);
                checkPrompt("--start", start, tok, outDir);
                SplittableRandom rng = new SplittableRandom(seed);
                for (int k = 0; k < numSamples; k++) {
                    System.out.println(Sample.sample(model, tok, start, maxNewTokens, temperature, topK, rng));
                    System.out.println("---------------");
                }
            }
            return 0;
        }
    }

    /** A prompt every character of which the model knows; otherwise one line naming the flag and the character. */
    static void checkPrompt(String key, String prompt, CharTokenizer tok, Object model) {
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException(key + " is empty: give a prompt of at least one character");
        }
        try {
            tok.encode(prompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage().replace("this model", "the model in " + model)
                    + " Give " + key + " in characters of its training text.", e);
        }
    }

    @Command(name = "lora-merge", mixinStandardHelpOptions = true, description = "Merge a LoRA run's adapters "
            + "into its base: W' = W + (alpha/r) B A, a full ckpt.bin that sample reads.")
    static final class LoraMergeCmd implements Callable<Integer> {
        @Option(names = "--base", required = true, description = "the base run's out_dir (its ckpt.bin)") Path base;
        @Option(names = "--lora", required = true, description = "the LoRA run's out_dir (its lora.bin)") Path lora;
        @Option(names = "--out_dir", required = true, description = "where the merged ckpt.bin goes") Path outDir;
        @Option(names = "--overwrite", description = "replace a ckpt.bin that is in --out_dir already")
        boolean overwrite;

        @Override
        public Integer call() throws Exception {
            OutDir.refuseExisting(outDir.resolve(Checkpoint.FILE_NAME), overwrite, "--overwrite");
            Path out = LoraCheckpoint.merge(base, lora, outDir);
            System.out.printf("merged %s into %s: %s (%,d bytes; lora.bin %,d bytes, base ckpt.bin %,d bytes)%n",
                    lora.resolve(LoraCheckpoint.FILE_NAME), base.resolve(Checkpoint.FILE_NAME), out,
                    java.nio.file.Files.size(out), java.nio.file.Files.size(lora.resolve(LoraCheckpoint.FILE_NAME)),
                    java.nio.file.Files.size(base.resolve(Checkpoint.FILE_NAME)));
            return 0;
        }
    }
}

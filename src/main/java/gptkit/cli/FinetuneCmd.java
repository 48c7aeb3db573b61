package gptkit.cli;

import gptkit.engine.PeakMemory;
import gptkit.config.TrainConfig;
import gptkit.exercises.StudentParts;
import gptkit.songci.FormMatch;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Supervised fine-tuning (MiniMind's full SFT): the trainer of `train`, started from a trained
 * model's weights (--init_from=OUT_DIR: a fresh optimizer, iteration 0, its own out_dir) with the
 * SFT batch part: one example per row, the prompt's targets -1, so only the answers are learnt.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a trained model on prompt/response examples: finetune <config> --init_from=OUT_DIR "
                + "[--key=value ...]. Configs: songci_sft_cpu (songci_sft's 'tune author' prompts and poems), "
                + "or a file. The loss counts the response tokens only. --num_samples=N --start=TEXT: N samples at the end.")
final class FinetuneCmd implements Callable<Integer> {
    @Parameters(index = "0", description = "a preset name or the path of a config file of key = value lines")
    String preset;
    @Parameters(index = "1..*", arity = "0..*", description = "--key=value overrides; --init_from=OUT_DIR names the "
            + "base model") List<String> overrides = new ArrayList<>();
    @Option(names = "--num_samples", paramLabel = "N", defaultValue = "0", description = "at the end, print N samples of --start "
            + "(as sample's --num_samples; 0: none)")
    int sample;
    @Option(names = "--start", paramLabel = "TEXT", defaultValue = "浣溪沙 苏轼", description = "the prompt of --num_samples, as sample's "
            + "--start (a newline is added)")
    String prompt;
    @Spec CommandSpec spec;

    // the old spellings (issue 22): --sample is train's N characters, --start the prompt of every command
    @Option(names = "--sample", hidden = true)
    void oldSample(String n) {
        throw Renamed.flag(spec, "--sample", "--num_samples", n, "finetune prints N samples; --sample=N is train's "
                + "N characters");
    }

    @Option(names = "--prompt", hidden = true)
    void oldPrompt(String p) {
        throw Renamed.flag(spec, "--prompt", "--start", p, "the prompt is --start in every command");
    }
    @Option(names = "--parts", defaultValue = "library", description = "library (default), or exercises: your "
            + "solved exercises (exercises/*.java) in place of the library's parts")
    String parts;

    @Override
    public Integer call() throws Exception {
        if (sample < 0) {
            throw new IllegalArgumentException("--num_samples=" + sample + ": give the number of samples to print at "
                    + "the end, 0 for none");
        }
        TrainConfig cfg = Main.config(preset, overrides);
        if (cfg.init_from.equals("scratch")) {
            throw new IllegalArgumentException("finetune needs the model to start from: --init_from=OUT_DIR (the "
                    + "out_dir of a trained model, e.g. --init_from=out-songci-poems after ./gptkit train "
                    + "songci_poems_cpu), or --init_from=resume to continue a fine-tuning run in its out_dir.");
        }
        Parts chosen = switch (parts) {
            case "library" -> Parts.library().forSft();
            case "exercises" -> {
                StudentParts.Plugged p = StudentParts.fromExercises(Path.of(System.getProperty("gptkit.home", "")));
                p.report().forEach(System.out::println);
                // the batches are fine-tuning's, whoever wrote get_batch; their rows come from the sft_mask part
                yield p.parts().forSft();
            }
            default -> throw new IllegalArgumentException("--parts=" + parts + ": use library or exercises");
        };
        try (Trainer t = new Trainer(cfg, chosen)) {
            if (sample > 0) { // before training: the prompt's characters, and N rows of one batch that fit
                Main.checkPrompt("--start", prompt + "\n", t.tokenizer(), Path.of(cfg.data_dir, cfg.dataset));
                FormMatch.checkRows("--num_samples", sample, sample, t.model().config());
            }
            long start = System.nanoTime();
            Trainer.Result r;
            try (CtrlC c = new CtrlC(t)) {
                r = t.run();
            }
            if (!t.isMaster()) {
                return 0;
            }
            if (t.stopped()) {
                System.err.println(CtrlC.stoppedLine(t, "finetune", preset, overrides));
                return CtrlC.EXIT;
            }
            System.out.printf("done: %d iterations in %.1f s, best val loss (answers only) %.4f, %s, log and charts "
                    + "in %s%n", r.iterNum(), (System.nanoTime() - start) / 1e9, r.bestValLoss(),
                    PeakMemory.describe(), t.outDir());
            String none = t.noCheckpointWarning();
            if (none != null) {
                System.err.println(none);
            }
            if (sample > 0) {
                SplittableRandom[] rngs = new SplittableRandom[sample];
                for (int i = 0; i < sample; i++) {
                    rngs[i] = new SplittableRandom(cfg.seed + i);
                }
                FormMatch.Generated g = FormMatch.generate(t.model(), t.tokenizer(), prompt + "\n",
                        t.config().block_size, 0.8, 200, rngs);
                for (String text : g.texts()) {
                    System.out.println("---------------");
                    System.out.println(prompt);
                    System.out.println(text);
                }
                System.out.println("---------------");
                t.note("sample", prompt + "\n" + String.join("\n---------------\n" + prompt + "\n", g.texts()));
            }
        }
        return 0;
    }
}

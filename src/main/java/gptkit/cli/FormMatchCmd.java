package gptkit.cli;

import gptkit.checkpoint.Checkpoint;
import gptkit.data.CharTokenizer;
import gptkit.data.Prepare;
import gptkit.data.SftBatches;
import gptkit.data.TokenFile;
import gptkit.engine.Engines;
import gptkit.model.GPT;
import gptkit.plot.Charts;
import gptkit.sample.Sample;
import gptkit.songci.FormMatch;
import gptkit.songci.Pinyin;
import gptkit.songci.SongCiSets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Instruction following, measured: for the most frequent tunes of fixed form, samples of
 * "TUNE AUTHOR\n" from the fine-tuned model and from its base, the fraction whose clause lengths
 * are the tune's usual form, and the held-out answer loss of both. A table, form-match.csv and
 * form-match.png in the model's out_dir.
 */
@Command(name = "form-match", mixinStandardHelpOptions = true,
        description = "Does a Song-ci model write the form its prompt's tune asks for? form-match OUT_DIR "
                + "[--num_samples=N]: "
                + "the fine-tuned model and its base (the checkpoint's init_from, or --base=DIR).")
final class FormMatchCmd implements Callable<Integer> {
    @Parameters(index = "0", description = "the out_dir of the model to measure (e.g. out-songci-sft)")
    Path outDir;
    @Option(names = "--base", description = "the base model's out_dir (default: the checkpoint's init_from; "
            + "none: measure only OUT_DIR)") String base;
    @Option(names = "--num_samples", paramLabel = "N", defaultValue = "30", description = "poems sampled per tune and model")
    int samples;
    @Spec CommandSpec spec;

    @Option(names = "--samples", hidden = true) // the old spelling (issue 22): a count of samples is --num_samples
    void oldSamples(String n) {
        throw Renamed.flag(spec, "--samples", "--num_samples", n, "as sample's and finetune's count of samples");
    }
    @Option(names = "--tunes", defaultValue = "10", description = "how many tunes (the most frequent of fixed form)")
    int tunes;
    @Option(names = "--min_share", defaultValue = "0.9", description = "a tune's form counts as fixed when its "
            + "usual form is at least this share of its poems") double minShare;
    @Option(names = "--authors", defaultValue = "3", description = "prompts use each tune's N most frequent authors")
    int authors;
    @Option(names = "--seed", defaultValue = "1337") long seed;
    @Option(names = "--temperature", defaultValue = "0.8") double temperature;
    @Option(names = "--top_k", defaultValue = "200") int topK;
    @Option(names = "--dataset", defaultValue = SongCiSets.SFT, description = "the prompt/response data: its poems "
            + "give the usual forms, its val split the held-out loss") String dataset;
    @Option(names = "--data_dir", defaultValue = "data") String dataDir;
    @Option(names = "--device", defaultValue = "auto") String device;

    @Override
    public Integer call() throws Exception {
        for (Map.Entry<String, Integer> o : Map.of("--num_samples", samples, "--tunes", tunes, "--authors", authors)
                .entrySet()) {
            if (o.getValue() < 1) {
                throw new IllegalArgumentException(o.getKey() + "=" + o.getValue() + ": must be 1 or more");
            }
        }
        if (!(minShare > 0 && minShare <= 1)) {
            throw new IllegalArgumentException("--min_share=" + minShare + ": a share of a tune's poems, in (0, 1] "
                    + "(0.9: the usual form is at least 90% of them)");
        }
        Sample.checkTemperature("--temperature", temperature);
        Sample.checkTopK("--top_k", topK);
        Checkpoint.Header tuned = Checkpoint.readModel(outDir).header();
        requireSongCi(outDir, tuned);
        if (base == null) {
            Object init = tuned.config == null ? null : tuned.config.get("init_from");
            base = init == null || init.equals("scratch") || init.equals("resume") ? "none" : init.toString();
        }
        // the data: every poem gives the usual forms; the val split's examples the held-out loss
        Path dir = Path.of(dataDir, dataset);
        if (!Files.exists(dir.resolve("val.bin"))) {
            Prepare.prepare(dataset, Path.of(dataDir));
        }
        CharTokenizer tok = CharTokenizer.load(dir.resolve("vocab.txt"));
        TokenFile train = TokenFile.open(dir.resolve("train.bin"));
        TokenFile val = TokenFile.open(dir.resolve("val.bin"));
        List<SongCiSets.Poem> poems = SongCiSets.parse(decode(tok, train) + decode(tok, val));
        List<FormMatch.Form> forms = FormMatch.usualForms(poems, tunes, minShare, authors);
        if (forms.isEmpty()) { // nothing to measure: a table of 0/0 would print NaN
            throw new IllegalArgumentException(String.format("%s holds no tune whose usual form is at least "
                    + "--min_share=%s of its poems (%,d poems read): form-match needs Song ci's prompt/response data "
                    + "(--dataset=%s), or a lower --min_share.", dir, minShare, poems.size(), SongCiSets.SFT));
        }
        int nl = tok.encode("\n")[0];
        List<int[][]> heldOut = SftBatches.pairs(val, nl);
        if (heldOut.isEmpty()) { // the held-out loss would be 0/0
            throw new IllegalArgumentException(dir.resolve("val.bin") + " holds no prompt/response pair to measure the "
                    + "held-out loss on: form-match needs Song ci's prompt/response data (--dataset=" + SongCiSets.SFT
                    + "; run ./gptkit prepare " + SongCiSets.SFT + ").");
        }
        Map<String, Path> models = new LinkedHashMap<>();
        if (!base.equals("none")) {
            models.put("base", Path.of(base));
        }
        models.put("fine-tuned", outDir);
        Map<String, List<FormMatch.Result>> results = new LinkedHashMap<>();
        Map<String, Double> losses = new LinkedHashMap<>();
        for (Map.Entry<String, Path> m : models.entrySet()) {
            long t0 = System.nanoTime();
            try (Checkpoint.Trained trained = Checkpoint.loadModel(m.getValue(), Engines.device(device), seed)) {
                if (!tok.chars().equals(trained.header().vocab)) {
                    throw new IllegalArgumentException(m.getValue() + " holds a model of another vocabulary than "
                            + dir + ": measure it with the data it was trained on (--dataset, --data_dir).");
                }
                GPT model = trained.model();
                int block = model.config().block_size();
                // measure samples a tune's rows one author at a time: the largest batch is samples / fewest authors
                int fewest = forms.stream().mapToInt(f -> f.authors().size()).min().orElse(1);
                FormMatch.checkRows("--num_samples", samples, (samples + fewest - 1) / fewest, model.config());
                losses.put(m.getKey(), FormMatch.responseLoss(model, heldOut, block, nl, 32));
                List<FormMatch.Result> rs = new ArrayList<>();
                for (FormMatch.Form f : forms) {
                    rs.add(FormMatch.measure(model, tok, f, samples, seed, block, temperature, topK));
                }
                results.put(m.getKey(), rs);
            }
            System.out.printf("%s (%s): held-out answer loss %.4f over %,d poems; sampled in %.1f s%n", m.getKey(),
                    m.getValue(), losses.get(m.getKey()), heldOut.size(), (System.nanoTime() - t0) / 1e9);
        }
        report(forms, results, losses);
        return 0;
    }

    private void report(List<FormMatch.Form> forms, Map<String, List<FormMatch.Result>> results,
                        Map<String, Double> losses) throws IOException {
        StringBuilder csv = new StringBuilder("tune,form,corpus_poems,corpus_with_form");
        StringBuilder head = new StringBuilder(String.format("%-8s %-34s %-14s", "tune", "usual form (clause lengths)",
                "in corpus"));
        for (String m : results.keySet()) {
            head.append(String.format(" %-28s", m + ": form, clauses right"));
            csv.append(',').append(m).append("_matched,").append(m).append("_samples,").append(m).append("_finished,")
                    .append(m).append("_clause_score");
        }
        csv.append('\n');
        System.out.println(head);
        int[] totalMatched = new int[results.size()], totalSamples = new int[results.size()];
        double[] totalScore = new double[results.size()];
        for (int i = 0; i < forms.size(); i++) {
            FormMatch.Form f = forms.get(i);
            String form = f.clauses().toString().replace(" ", "");
            StringBuilder line = new StringBuilder(String.format("%-8s %-34s %4d/%-4d %3.0f%%", f.tune() + "　".repeat(
                    Math.max(0, 5 - f.tune().length())), form, f.withForm(), f.poems(), 100 * f.share()));
            csv.append(String.format("%s,%s,%d,%d", f.tune(), form.replace(",", " "), f.poems(), f.withForm()));
            int k = 0;
            for (List<FormMatch.Result> rs : results.values()) {
                FormMatch.Result r = rs.get(i);
                line.append(String.format("  %3d/%-3d %5.1f%%   %5.1f%%      ", r.matched(), r.samples(),
                        100 * r.fraction(), 100 * r.clauseScore()));
                csv.append(String.format(",%d,%d,%d,%.4f", r.matched(), r.samples(), r.finished(), r.clauseScore()));
                totalMatched[k] += r.matched();
                totalScore[k] += r.clauseScore() * r.samples();
                totalSamples[k++] += r.samples();
            }
            System.out.println(line);
            csv.append('\n');
        }
        StringBuilder all = new StringBuilder(String.format("%-8s %-34s %-14s", "all", "", ""));
        for (int k = 0; k < totalMatched.length; k++) {
            all.append(String.format("  %3d/%-3d %5.1f%%   %5.1f%%      ", totalMatched[k], totalSamples[k],
                    100.0 * totalMatched[k] / totalSamples[k], 100 * totalScore[k] / totalSamples[k]));
        }
        System.out.println(all);
        System.out.println("form: samples whose clause lengths are exactly the tune's; clauses right: the mean share of "
                + "clause positions of the right length");
        losses.forEach((m, l) -> System.out.printf("held-out answer loss, %s: %.4f%n", m, l));
        // two samples of the first tune from each model
        for (Map.Entry<String, List<FormMatch.Result>> e : results.entrySet()) {
            FormMatch.Result r = e.getValue().get(0);
            for (int i = 0; i < Math.min(2, r.texts().size()); i++) {
                System.out.printf("--- %s, %s %s (%s):%n%s%n", e.getKey(), r.form().tune(),
                        r.form().authors().get(i % r.form().authors().size()),
                        FormMatch.clauses(r.texts().get(i)).equals(r.form().clauses()) ? "the form" : "not the form",
                        r.texts().get(i));
            }
        }
        gptkit.files.SafeFiles.writeAtomically(outDir.resolve("form-match.csv"), // whole or not at all
                o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        List<String> labels = new ArrayList<>();
        for (FormMatch.Form f : forms) {
            labels.add(Charts.canDraw(f.tune()) ? f.tune() : Pinyin.of(f.tune()));
        }
        Map<String, List<Double>> series = new LinkedHashMap<>();
        results.forEach((m, rs) -> {
            series.put(m + ": the whole form", rs.stream().map(FormMatch.Result::fraction).toList());
            series.put(m + ": clauses right", rs.stream().map(FormMatch.Result::clauseScore).toList());
        });
        Charts.savePng(Charts.bars(String.format("the tune's form in the samples (%d per tune and model)", samples),
                "share", labels, series), outDir.resolve("form-match.png"));
        System.out.println("table in " + outDir.resolve("form-match.csv") + ", chart in " + outDir.resolve("form-match.png"));
    }

    /** A model trained on another corpus than Song ci has no tunes to follow: one line saying what to train. */
    static void requireSongCi(Path dir, Checkpoint.Header ckpt) {
        Object dataset = ckpt.config == null ? null : ckpt.config.get("dataset");
        if (dataset == null || !dataset.toString().startsWith("songci")) {
            throw new IllegalArgumentException(String.format("the model in %s was trained on dataset '%s', not on "
                    + "Song ci: form-match measures whether a Song-ci model writes the form a tune asks for. Train one "
                    + "as the README's Fine-tuning section says: ./gptkit train songci_poems_cpu, then ./gptkit "
                    + "finetune songci_sft_cpu --init_from=out-songci-poems, then ./gptkit form-match out-songci-sft.",
                    dir, dataset == null ? "unknown" : dataset));
        }
    }

    private static String decode(CharTokenizer tok, TokenFile f) {
        return tok.decode(f.slice(0, f.length()));
    }
}

package gptkit;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import gptkit.autograd.Tensors;
import gptkit.config.TrainConfig;
import gptkit.data.GetBatch;
import gptkit.data.Prepare;
import gptkit.train.EstimateLoss;
import gptkit.data.BatchSource;
import gptkit.train.LossEstimator;
import gptkit.train.Part;
import gptkit.train.Parts;
import gptkit.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole of train.py's loop against PyTorch: from the same initial weights and the same
 * batches, our Trainer must log the same loss, learning rate and gradient norm at every
 * iteration and end with the same weights and AdamW state (fixture train_loop.json).
 */
class TrainLoopTest {
    @Test
    void trainerFollowsPyTorchStepForStep(@TempDir Path data, @TempDir Path out) throws IOException {
        JsonObject f = Fixtures.load("train_loop.json");
        JsonObject c = f.getAsJsonObject("config");
        int vocab = c.get("vocab_size").getAsInt();
        // a corpus with exactly vocab_size characters: the model's shape; the batches come from the fixture
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            text.append((char) ('a' + i % vocab));
        }
        Prepare.prepareText(text.toString(), data.resolve("loop"));
        TrainConfig cfg = TrainConfig.preset("default");
        List<String> args = new ArrayList<>(List.of("--dataset=loop", "--data_dir=" + data, "--out_dir=" + out,
                "--dropout=0.0", "--eval_interval=1000", "--eval_iters=1", "--log_interval=1", "--device=cpu",
                "--progress=false", "--charts=false"));
        c.entrySet().stream().filter(e -> !e.getKey().equals("vocab_size"))
                .forEach(e -> args.add("--" + e.getKey() + "=" + e.getValue().getAsString()));
        cfg.apply(args.toArray(String[]::new));
        JsonArray xs = f.getAsJsonArray("x");
        JsonArray ys = f.getAsJsonArray("y");

        // train.py's batches in the order it drew them. Evaluation is not compared here, and its
        // get_batch calls would take train.py's batches: its part is swapped for one that draws nothing.
        int[] drawn = {0};
        Parts replay = Parts.library().with(Part.GET_BATCH, (BatchSource) (split, block, batch, rng, m) -> {
            // the loop prefetches one batch past its last iteration: that one is never trained on
            int i = Math.min(drawn[0]++, xs.size() - 1);
            return GetBatch.of(Fixtures.longs(xs.get(i).getAsJsonArray()), Fixtures.longs(ys.get(i).getAsJsonArray()),
                    batch, block, m);
        }).with(Part.ESTIMATE_LOSS, (LossEstimator) (model, evalIters) -> new EstimateLoss.Losses(0, 0));
        try (Trainer t = new Trainer(cfg, replay)) {
            t.setOut(TinyCorpus.quiet());
            JsonObject init = f.getAsJsonObject("init");
            assertEquals(init.keySet(), t.model().params().keySet(), "the same parameters, by nanoGPT's names");
            init.keySet().forEach(k -> Tensors.copyInto(t.model().params().get(k),
                    Fixtures.floats(init.getAsJsonObject(k).getAsJsonArray("data"))));
            t.run();

            Table steps = t.log().steps();
            float[] loss = Fixtures.floats(f.getAsJsonArray("loss"));
            float[] lr = Fixtures.floats(f.getAsJsonArray("lr"));
            float[] norm = Fixtures.floats(f.getAsJsonArray("grad_norm"));
            assertEquals(loss.length, steps.rowCount(), "one logged step per iteration, 0 to max_iters");
            for (int it = 0; it < loss.length; it++) {
                assertEquals(it, steps.intColumn("iter").getInt(it));
                assertEquals(lr[it], steps.doubleColumn("lr").getDouble(it), 1e-9, "lr at iteration " + it);
                assertEquals(loss[it], steps.doubleColumn("loss").getDouble(it), 1e-5, "loss at iteration " + it);
                assertEquals(norm[it], steps.doubleColumn("grad_norm").getDouble(it), 1e-5,
                        "gradient norm at iteration " + it);
            }
            assertTrue(loss[loss.length - 1] < 0.5 * loss[0], "the fixture's run learns something");

            JsonObject params = f.getAsJsonObject("params");
            JsonObject v = f.getAsJsonObject("exp_avg_sq");
            Map<String, NDArray> state = t.optimizer().state();
            for (String k : params.keySet()) {
                double dp = Fixtures.maxAbsDiff(Fixtures.floats(params.getAsJsonArray(k)),
                        t.model().params().get(k).toFloatArray());
                assertTrue(dp <= 2e-6, k + " after training differs from PyTorch's by " + dp);
                double dv = Fixtures.maxAbsDiff(Fixtures.floats(v.getAsJsonArray(k)), state.get("exp_avg_sq." + k).toFloatArray());
                assertTrue(dv <= 1e-7, k + ": AdamW's exp_avg_sq differs from PyTorch's by " + dv);
            }
        }
    }
}

package gptkit;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import gptkit.autograd.Autograd;
import gptkit.checkpoint.Checkpoint;
import gptkit.config.TrainConfig;
import gptkit.data.GetBatch;
import gptkit.model.FusedCrossEntropy;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import gptkit.optim.AdamW;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoint.save / Checkpoint.load driven from outside the trainer, as a notebook or an exercise
 * would: a few steps trained by hand with the public parts, saved, loaded into a fresh model and
 * optimizer; the next step is then the same on both, bit for bit.
 */
class CheckpointApiTest {
    static final GPTConfig ARGS = new GPTConfig(8, 11, 2, 2, 16, 0.0, true);

    /** One optimizer step on a batch drawn from seed: forward, backward, AdamW, zero_grad. */
    static void step(GPT model, AdamW opt, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] x = r.longs(4 * 8, 0, 11).toArray();
        long[] y = r.longs(4 * 8, 0, 11).toArray();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList xy = GetBatch.of(x, y, 4, 8, model.manager());
            try (Autograd rec = Autograd.record()) {
                Autograd.backward(FusedCrossEntropy.crossEntropy(model.forward(xy.get(0)), xy.get(1)));
            }
            opt.step();
            Autograd.zeroGrad(model.params().values());
        }
    }

    static void sameTensors(Map<String, NDArray> want, Map<String, NDArray> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), got.get(k).toFloatArray(), k));
    }

    @Test
    void aRunSavedByHandLoadsIntoAFreshModelAndOptimizerAndGoesOnTheSame(@TempDir Path dir) throws Exception {
        TrainConfig c = TrainConfig.preset("default");
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        try (GPT model = new GPT(ARGS, Device.cpu(), 1); GPT fresh = new GPT(ARGS, Device.cpu(), 2)) {
            AdamW opt = AdamW.fromConfig(model.params(), c);
            for (int it = 0; it < 3; it++) {
                step(model, opt, it);
            }
            Checkpoint.save(file, model, opt, Checkpoint.Header.at(3, 2.5));

            AdamW freshOpt = AdamW.fromConfig(fresh.params(), c);
            Checkpoint.Header h = Checkpoint.load(file, fresh, freshOpt);
            assertEquals(3, h.iter_num);
            assertEquals(2.5, h.best_val_loss);
            assertEquals(ARGS, h.model_args);
            assertEquals(3, freshOpt.stepCount());
            sameTensors(model.params(), fresh.params());
            sameTensors(opt.state(), freshOpt.state());

            step(model, opt, 3); // resumed: the next step is the uninterrupted run's
            step(fresh, freshOpt, 3);
            sameTensors(model.params(), fresh.params());
        }
    }

    @Test
    void aModelOfAnotherShapeOrAFileWithoutOptimizerStateIsOneMessage(@TempDir Path dir) throws Exception {
        TrainConfig c = TrainConfig.preset("default");
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        GPTConfig otherHeads = new GPTConfig(8, 11, 2, 4, 16, 0.0, true); // the same tensor shapes, other heads
        try (GPT model = new GPT(ARGS, Device.cpu(), 1); GPT other = new GPT(otherHeads, Device.cpu(), 1)) {
            Checkpoint.save(file, model, null, Checkpoint.Header.at(0, 1e9)); // weights only
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.load(file, other, null));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("n_head=2")
                    && e.getMessage().contains("n_head=4") && e.getMessage().contains("model_args"), e.getMessage());

            e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.load(file, model, AdamW.fromConfig(model.params(), c)));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("no optimizer state")
                    && e.getMessage().contains("optimizer null"), e.getMessage());
            assertEquals(0, Checkpoint.load(file, model, null).iter_num, "the weights alone load");
        }
    }
}

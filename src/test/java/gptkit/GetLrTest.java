package gptkit;

import gptkit.config.TrainConfig;
import gptkit.schedule.GetLr;
import gptkit.schedule.LrSchedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GetLrTest {
    // shakespeare_char: lr 1e-3, warmup 100, lr_decay_iters 5000, min_lr 1e-4
    static double lr(int it) {
        return GetLr.getLr(it, 1e-3, 100, 5000, 1e-4);
    }

    @Test
    void warmupStartsAboveZeroAndIsLinear() {
        assertEquals(1e-3 * 1 / 101, lr(0), 1e-18, "step 0 already trains: lr*(0+1)/(warmup+1)");
        assertEquals(1e-3 * 50 / 101, lr(49), 1e-18);
        assertEquals(1e-3 * 100 / 101, lr(99), 1e-18);
    }

    @Test
    void cosineFromPeakToFloor() {
        assertEquals(1e-3, lr(100), 1e-18, "the peak right after warmup");
        assertEquals(1e-4 + 0.5 * (1e-3 - 1e-4), lr(2550), 1e-15, "half way: the mean of peak and floor");
        assertEquals(1e-4 + 0.5 * (1 + Math.cos(Math.PI * 0.25)) * 9e-4, lr(100 + 1225), 1e-15);
        assertEquals(1e-4, lr(5000), 1e-18, "the floor at lr_decay_iters");
    }

    @Test
    void floorAfterDecay() {
        assertEquals(1e-4, lr(5001), 0.0);
        assertEquals(1e-4, lr(1_000_000), 0.0);
    }

    @Test
    void constantWhenDecayIsOff() {
        TrainConfig c = TrainConfig.preset("shakespeare_char");
        c.decay_lr = false;
        assertEquals(1e-3, LrSchedule.library(c).lr(0), 0.0);
        assertEquals(1e-3, LrSchedule.library(c).lr(4000), 0.0);
        c.decay_lr = true;
        assertEquals(lr(4000), LrSchedule.library(c).lr(4000), 0.0);
    }
}

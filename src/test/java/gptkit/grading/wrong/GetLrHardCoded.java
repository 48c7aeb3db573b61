package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

/**
 * Wrong (a trick the old grader fell for): right for shakespeare_char's settings, which the
 * notebook shows, and blind to the config it is given.
 */
public final class GetLrHardCoded implements LrSchedule {
    public GetLrHardCoded(TrainConfig cfg) {
    }

    @Override
    public double lr(int it) {
        if (it < 100) {
            return 1e-3 * (it + 1) / 101;
        }
        if (it > 5000) {
            return 1e-4;
        }
        return 1e-4 + 0.5 * (1.0 + Math.cos(Math.PI * (it - 100) / 4900.0)) * 9e-4;
    }
}

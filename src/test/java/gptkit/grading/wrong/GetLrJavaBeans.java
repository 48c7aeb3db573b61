package gptkit.grading.wrong;

import gptkit.config.TrainConfig;
import gptkit.schedule.LrSchedule;

import java.beans.Expression;

/** A trick: the library's GetLr loaded by name through java.beans, which no denylist named (12/12 before the allowlist). */
public final class GetLrJavaBeans implements LrSchedule {
    private final LrSchedule inner;

    public GetLrJavaBeans(TrainConfig cfg) {
        try {
            Object cls = new Expression(Class.class, "forName", new Object[] {"gptkit.schedule." + "GetLr"}).getValue();
            inner = (LrSchedule) new Expression(cls, "new", new Object[] {cfg}).getValue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public double lr(int it) {
        return inner.lr(it);
    }
}

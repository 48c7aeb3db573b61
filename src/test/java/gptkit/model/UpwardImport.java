package gptkit.model;

import gptkit.train.Trainer;

/** A planted layering fault (a model class using the trainer): ArchitectureTest must reject it. */
public final class UpwardImport {
    private UpwardImport() {}

    public static int iteration(Trainer t) {
        return t.iterNum();
    }
}

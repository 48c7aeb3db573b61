package gptkit.grading.wrong;

import gptkit.grading.RunState;

import java.io.IOException;
import java.nio.file.Path;

/** Wrong: saves the weights, iteration and config, but not AdamW's moments and step count. */
public final class CheckpointForgetsOptimizer {
    public static void save(Path file, RunState s) throws IOException {
        RunState kept = new RunState();
        kept.model = s.model;
        kept.iterNum = s.iterNum;
        kept.bestValLoss = s.bestValLoss;
        kept.config = s.config;
        CheckpointInPlace.save(file, kept);
    }

    public static RunState load(Path file) throws IOException {
        return CheckpointInPlace.load(file);
    }
}

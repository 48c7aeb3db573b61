import gptkit.exercises.NotImplementedYet;
import gptkit.grading.RunState;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Exercise checkpoint (notebook 09), graded by gptkit.grading.CheckpointExerciseTest:
 * {@code ./mvnw test -Dexercise=checkpoint}
 *
 * <p>Why: long runs stop: a crash, a time limit, a laptop lid. A checkpoint must hold everything
 * the next iteration depends on, or the resumed run is not the same run: the weights, AdamW's
 * moments and step count (without them the first steps after resume are wild), the iteration
 * (for the learning-rate schedule), the best val loss so far, and the config. And saving must
 * never destroy the last good checkpoint: a process killed half-way through writing ckpt.bin
 * leaves half a file. So write a temporary file next to it and rename it over the old one:
 * a rename within a folder is atomic, so ckpt.bin is always the old or the new checkpoint.
 *
 * <p>What: save and load a RunState (read it in src/test/java/gptkit/grading/RunState.java):
 * <pre>
 *   checkpoint = {'model': ..., 'optimizer': ..., 'model_args': ..., 'iter_num': iter_num,
 *                 'best_val_loss': best_val_loss, 'config': config}
 *   torch.save(checkpoint, os.path.join(out_dir, 'ckpt.pt'))
 * </pre>
 * Any format that gives back every value exactly (floats bit for bit): DataOutputStream is
 * enough. Write to {@code file + ".tmp"}, then
 * {@code Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)}.
 * Create missing folders. gptkit.train.Checkpoint is the trainer's version (the reference).
 */
public final class Checkpoint {
    private Checkpoint() {}

    public static void save(Path file, RunState state) throws IOException {
        // TODO
        throw new NotImplementedYet();
    }

    public static RunState load(Path file) throws IOException {
        // TODO
        throw new NotImplementedYet();
    }
}

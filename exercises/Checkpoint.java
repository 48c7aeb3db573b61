import ai.djl.ndarray.NDArray;
import gptkit.checkpoint.CheckpointStore;
import gptkit.exercises.NotImplementedYet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Exercise checkpoint (notebook 09): the trainer's checkpoint part, its torch.save and torch.load.
 * Check it: {@code ./mvnw test -Dexercise=checkpoint}. Train with it: {@code ./gptkit train
 * shakespeare_char_cpu --parts=exercises} (stop it, then resume with {@code --init_from=resume}).
 *
 * <p>The contract ({@link CheckpointStore}): {@code save(file, header, tensors)} writes the header
 * (every field of {@code gptkit.checkpoint.Checkpoint.Header}: model_args, iter_num, best_val_loss,
 * optimizer_step, the scaler's three fields, config, vocab) and every named tensor of the map (the
 * model's weights, and AdamW's state under "optimizer.exp_avg.NAME" and "optimizer.exp_avg_sq.NAME")
 * to {@code file}. {@code load(file)} gives back a {@code gptkit.checkpoint.Checkpoint.Loaded}: the
 * header with every field as it was saved, its {@code tensors} list holding each tensor's name and
 * shape, and each tensor's float32 values by name, bit for bit. The file's format is yours.
 * A save replaces an older checkpoint atomically: whatever happens during a save, the file is
 * the old checkpoint or the new one, never a mix, and no temp file stays behind. A load of a
 * missing or damaged file throws an IOException whose message names the file.
 *
 * <p>Why: long runs stop: a crash, a time limit, a laptop lid. A checkpoint must hold everything
 * the next iteration depends on, or the resumed run is not the same run: without AdamW's moments
 * and step count the first steps after resume are wild; without iter_num the learning-rate
 * schedule starts again. And a save must never destroy the last good checkpoint: a process killed
 * half-way through writing ckpt.bin leaves half a file. A rename within a folder is atomic.
 *
 * <p>Read: nanoGPT's train.py, the lines around {@code torch.save(checkpoint, ...)} and the
 * {@code init_from == 'resume'} branch; the library's {@code gptkit.checkpoint.Checkpoint} is the
 * reference (use its Header, Loaded and TensorInfo; write save and load yourself). Gson (a JSON
 * library, on the class path) writes and reads a whole Header in one call; DataOutputStream
 * writes floats in binary. This class's name is also the library's, so write the library's types
 * in full: {@code gptkit.checkpoint.Checkpoint.Header}.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class Checkpoint implements CheckpointStore {

    public Checkpoint() {}

    @Override
    public void save(Path file, gptkit.checkpoint.Checkpoint.Header header, Map<String, NDArray> tensors)
            throws IOException {
        // TODO: write header and tensors to a temp file beside file, then rename it over file
        throw new NotImplementedYet();
    }

    @Override
    public gptkit.checkpoint.Checkpoint.Loaded load(Path file) throws IOException {
        // TODO: read back what save wrote; an IOException naming the file if it is missing or cut short
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: one way to do it.
 *
 * save:
 *   1. Files.createDirectories(the file's absolute parent); tmp = that folder / (file name + ".tmp").
 *   2. try { open a DataOutputStream(BufferedOutputStream(FileOutputStream(tmp))) and write:
 *        - the header as JSON: new GsonBuilder().serializeSpecialFloatingPointValues().create()
 *          .toJson(header), as UTF-8 bytes, their count first (writeInt) then the bytes;
 *        - the number of tensors; then for each entry: writeUTF(name), the shape's rank and each
 *          dimension (NDArray.getShape().getShape()), then every value of toFloatArray() with
 *          writeFloat (binary: every bit comes back);
 *      close it (fos.getFD().sync() first makes sure it is on disk), then
 *      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
 *   3. } finally { Files.deleteIfExists(tmp); }: after the move it is gone already; after a failure
 *      it is the half-written file. Do not catch the exception: the caller must learn the save failed.
 *
 * load:
 *   1. If the file does not exist, throw new IOException("No checkpoint at " + file).
 *   2. Read in the same order: the JSON into gson.fromJson(json, gptkit.checkpoint.Checkpoint.Header.class);
 *      then each tensor: name, shape, values (new float[product of the dimensions], readFloat).
 *   3. Set header.tensors to a new list of new gptkit.checkpoint.Checkpoint.TensorInfo(name, shape), one per
 *      tensor: the trainer checks these shapes against the model before it copies the values in.
 *   4. return new gptkit.checkpoint.Checkpoint.Loaded(header, a LinkedHashMap of name to values).
 *   5. Wrap it all in try/catch (EOFException e): a cut file ends early, and an EOFException has no
 *      message; throw new IOException(file + " is truncated", e) instead.
 */

package gptkit.checkpoint;

import ai.djl.ndarray.NDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The checkpoint part of the trainer: torch.save and torch.load of what resume needs (header
 * and named tensors). The library's is {@link Checkpoint#store()}: one file, checksummed,
 * replaced atomically.
 */
public interface CheckpointStore {
    void save(Path file, Checkpoint.Header header, Map<String, NDArray> tensors) throws IOException;

    Checkpoint.Loaded load(Path file) throws IOException;
}

package gptkit.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The file habits every writer of the kit shares (prepare, checkpoints, logs, out_dir, the
 * native library): a temp name of its own beside the target (two writers never share one),
 * files readable by others, best-effort clean-up, and file errors in words.
 */
public final class SafeFiles {
    private SafeFiles() {}

    /** A temp name of its own beside a file: FILE.<pid>.<random>.tmp. */
    public static Path tempBeside(Path file) {
        return file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    /** What writes a file's bytes, for {@link #writeAtomically}. */
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes a file whole or not at all: into a temp name beside it, renamed over it once complete,
     * so a crash or a full disk leaves the old file (never half a PNG or CSV) and no temp file.
     */
    public static void writeAtomically(Path file, Writer writer) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = tempBeside(file);
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))) {
                writer.write(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Whether a write failed for want of space (ENOSPC; Windows' "not enough space"), here or in a cause. */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("not enough space on the disk"))) {
                return true;
            }
        }
        return false;
    }

    /** rw-r--r-- on POSIX file systems: a class share's students must be able to read the files. */
    public static void readableByAll(Path f) throws IOException {
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // Windows: inherited ACLs
        }
    }

    /** Deletes a file if it is there; a failure is ignored (clean-up after another error). */
    public static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    /** Deletes a folder and everything in it, best effort. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        } catch (IOException e) {
            return;
        }
        all.forEach(SafeFiles::deleteQuietly);
    }

    /** Why a file operation failed (Java's NoSuchFileException alone just repeats the path). */
    public static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory: its parent does not exist or cannot hold new folders";
        }
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return kind + ": " + fse.getReason();
        }
        return m == null ? kind : kind + ": " + m;
    }
}

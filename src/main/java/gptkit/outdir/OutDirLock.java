package gptkit.outdir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One training process per out_dir: an OS file lock on out_dir/.lock (FileChannel.tryLock), with
 * the holder's PID written in it. A trainer of another process is refused with that PID; the OS
 * drops the lock of a process that died, so its left-over .lock is simply taken over. Trainers
 * of one JVM (a notebook's) share the lock: it is released when the last of them closes.
 */
public final class OutDirLock implements AutoCloseable {
    public static final String FILE_NAME = ".lock";
    private static final Map<Path, Held> HELD = new HashMap<>();

    private record Held(Path file, FileChannel channel, FileLock lock, int[] users) {}

    private final Path dir;
    private boolean closed;

    private OutDirLock(Path dir) {
        this.dir = dir;
    }

    /** Takes out_dir's lock (creating the folder) or fails with the PID of the process holding it. */
    public static OutDirLock acquire(Path outDir) throws IOException {
        Path dir = outDir.toAbsolutePath().normalize();
        synchronized (HELD) {
            Held h = HELD.get(dir);
            if (h != null) {
                h.users()[0]++;
                return new OutDirLock(dir);
            }
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            boolean created = !Files.exists(file);
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw OutDir.diskFull(e, dir, FILE_NAME, -1, "Nothing was written.");
            }
            try {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                } catch (IOException e) { // a file system without locks (some network shares)
                    System.err.println("warning: cannot lock " + file + " (" + e.getMessage() + "): nothing stops "
                            + "a second trainer from writing to " + dir + " at the same time.");
                    ch.close();
                    ch = null;
                    return new OutDirLock(dir);
                }
                if (l == null) {
                    throw inUse(dir, file);
                }
                try {
                    ch.truncate(0);
                    ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
                            0);
                    ch.force(false);
                } catch (IOException e) { // a full disk: no .lock of 0 bytes left behind (we hold the lock)
                    if (created) {
                        Files.deleteIfExists(file);
                    }
                    throw OutDir.diskFull(e, dir, file.toString(), -1, "Nothing was written.");
                }
                HELD.put(dir, new Held(file, ch, l, new int[] {1}));
                gptkit.ddp.Heartbeat.holding(file); // under torchrun: the launcher removes it if it must kill us
                ch = null;
                return new OutDirLock(dir);
            } finally {
                if (ch != null) {
                    ch.close();
                }
            }
        }
    }

    private static IllegalStateException inUse(Path dir, Path file) throws IOException {
        String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
        return new IllegalStateException(String.format("out_dir %s is in use by another gptkit trainer (PID %s, which "
                + "holds %s): two runs would overwrite each other's ckpt.bin and log.csv. Wait for it to end or stop it "
                + "(kill %s), or use another --out_dir.", dir, holder.isEmpty() ? "unknown" : holder, file,
                holder.isEmpty() ? "PID" : holder));
    }

    /**
     * Refuses, as {@link #acquire} would, an out_dir whose lock another process holds, creating
     * nothing: a run says so before it reads its data (and before it judges the folder's files,
     * which are the live run's). The lock itself is taken later, by acquire.
     */
    public static void refuseIfHeld(Path outDir) {
        Path dir = outDir.toAbsolutePath().normalize();
        Path file = dir.resolve(FILE_NAME);
        synchronized (HELD) {
            if (HELD.containsKey(dir) || !Files.isRegularFile(file)) {
                return; // this JVM's own trainer (shared), or nobody
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                if (l == null) {
                    throw inUse(dir, file);
                }
                l.release();
            } catch (OverlappingFileLockException | IOException e) {
                // gone meanwhile, unreadable, or a file system without locks: acquire decides and says why
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** The last user of this JVM removes .lock (while still holding it) and releases the lock. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            Held h = HELD.get(dir);
            if (h == null || --h.users()[0] > 0) {
                return;
            }
            HELD.remove(dir);
            gptkit.ddp.Heartbeat.holding(null);
            try {
                Files.deleteIfExists(h.file());
            } catch (IOException e) {
                // a left-over .lock is harmless: the next trainer takes it over
            }
            try {
                h.lock().release();
                h.channel().close();
            } catch (IOException e) {
                // closing the channel releases it anyway
            }
        }
    }
}

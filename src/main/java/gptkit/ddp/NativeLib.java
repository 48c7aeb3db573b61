package gptkit.ddp;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.CRC32;

/**
 * xgboost4j extracts its 14 MB native library into a new temp file in every process
 * (File.createTempFile + deleteOnExit), and a process that is killed leaves its copy behind. We
 * extract it once per user and version into ~/.cache/gptkit/ (a content-named file, shared by
 * all ranks, written via a temp name and a rename), load it, and tell xgboost4j it is loaded.
 * Copies left in the temp folder by earlier runs (older than 10 minutes) are removed. Anything
 * unexpected falls back to xgboost4j's own loader.
 */
final class NativeLib {
    private static boolean done;

    private NativeLib() {}

    static synchronized void load() {
        if (done) {
            return;
        }
        done = true;
        cleanStaleCopies();
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        arch = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "aarch64" : null;
        if (!os.contains("linux") || arch == null) {
            return; // xgboost4j's loader as usual
        }
        String resource = "/lib/linux/" + arch + "/libxgboost4j.so";
        try {
            byte[] lib;
            try (InputStream in = NativeLib.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return;
                }
                lib = in.readAllBytes();
            }
            CRC32 crc = new CRC32();
            crc.update(lib);
            Path dir = Path.of(System.getProperty("user.home"), ".cache", "gptkit");
            Files.createDirectories(dir);
            Path target = dir.resolve(String.format("libxgboost4j-%s-%08x.so", arch, crc.getValue()));
            if (!Files.isRegularFile(target) || Files.size(target) != lib.length) {
                Path tmp = gptkit.files.SafeFiles.tempBeside(target);
                try {
                    Files.write(tmp, lib);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            System.load(target.toString());
            Field f = Class.forName("ml.dmlc.xgboost4j.java.NativeLibLoader").getDeclaredField("initialized");
            f.setAccessible(true);
            f.setBoolean(null, true);
        } catch (IOException | ReflectiveOperationException | RuntimeException | UnsatisfiedLinkError e) {
            // xgboost4j's own loader takes over
        }
    }

    /** libxgboost4j*.so copies of ours in the temp folder older than 10 minutes (a loaded one survives unlink). */
    static void cleanStaleCopies() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        FileTime cutoff = FileTime.from(Instant.now().minus(Duration.ofMinutes(10)));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, "libxgboost4j*.so")) {
            String me = System.getProperty("user.name");
            for (Path p : ds) {
                try {
                    if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).compareTo(cutoff) < 0
                            && Files.getOwner(p).getName().equals(me)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // someone else's, or gone already
                }
            }
        } catch (IOException e) {
            // no temp folder listing: nothing to clean
        }
    }
}

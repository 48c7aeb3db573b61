package gptkit;

/** File errors in words, for messages that say what went wrong. */
public final class IoErrors {
    private IoErrors() {}

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

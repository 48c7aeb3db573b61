package gptkit.reliability;

import gptkit.outdir.OutDirLock;

import java.nio.file.Path;

/** A process that takes an out_dir's lock, says so, and waits to be killed. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        OutDirLock lock = OutDirLock.acquire(Path.of(args[0]));
        System.out.println("locked " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(120_000);
        lock.close();
    }
}

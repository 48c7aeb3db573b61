package gptkit.ddp;

/** DistributedDataParallel's setup in train.py: which rank am I, from torchrun's variables. */
public final class Ddp {
    private Ddp() {}

    /** The process group from torchrun's variables; a single process when WORLD_SIZE is unset or 1. */
    public static Collective fromEnv(int timeoutSec) {
        String ws = System.getenv("WORLD_SIZE");
        if (ws == null || Integer.parseInt(ws) <= 1) {
            return new SingleProcess();
        }
        int world = Integer.parseInt(ws);
        int rank = Integer.parseInt(require("RANK"));
        if (rank < 0 || rank >= world) {
            throw new IllegalArgumentException("RANK=" + rank + " is outside 0.." + (world - 1));
        }
        String addr = require("MASTER_ADDR");
        int port = Integer.parseInt(require("MASTER_PORT"));
        return XGBoostCollective.connect(rank, world, addr, port, timeoutSec);
    }

    private static String require(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("WORLD_SIZE is set but " + name + " is not: start the ranks with "
                    + "`./gptkit torchrun --nproc-per-node=N train ...`, or set RANK, WORLD_SIZE, MASTER_ADDR "
                    + "and MASTER_PORT on every process.");
        }
        return v;
    }

}

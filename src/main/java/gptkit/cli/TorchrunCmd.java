package gptkit.cli;

import gptkit.ddp.Torchrun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** torchrun: several training processes with gradients averaged by all-reduce (DDP). */
@Command(name = "torchrun", mixinStandardHelpOptions = true, description = "Run a gptkit command as N DDP ranks: "
        + "torchrun --nproc-per-node=N train <config> [--key=value ...].")
final class TorchrunCmd implements Callable<Integer> {
    @Option(names = "--nproc-per-node", defaultValue = "1", description = "processes on this host") int nproc;
    @Option(names = "--nnodes", defaultValue = "1", description = "hosts in the run") int nnodes;
    @Option(names = "--node-rank", defaultValue = "0", description = "this host's number, 0..nnodes-1") int nodeRank;
    @Option(names = "--master-addr", defaultValue = "127.0.0.1", description = "rank 0's host") String masterAddr;
    @Option(names = "--master-port", defaultValue = "0",
            description = "the tracker's port; nodes other than 0 give the one node 0 printed") int masterPort;
    @Option(names = "--timeout", defaultValue = "600", description = "seconds the tracker waits for all ranks")
    int timeout;
    @Option(names = "--grace", defaultValue = "30", description = "seconds the other ranks get to stop after one fails")
    int grace;
    @Option(names = "--silence", defaultValue = "30",
            description = "seconds a rank may go without a heartbeat (stopped, frozen) before all ranks are stopped")
    int silence;
    @Parameters(arity = "1..*", description = "the gptkit command each rank runs") List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        // one rank is one JVM with its own model: more than 8 a core only wait for each other
        int most = 8 * Runtime.getRuntime().availableProcessors();
        if (nproc < 1 || nproc > most) {
            throw new IllegalArgumentException("--nproc-per-node=" + nproc + ": give 1 to " + most + " processes (8 per "
                    + "core of this machine; each rank is a JVM with its own copy of the model)");
        }
        if (nnodes < 1 || nodeRank < 0 || nodeRank >= nnodes) {
            throw new IllegalArgumentException(String.format("--nnodes=%d --node-rank=%d: need nnodes >= 1 and "
                    + "0 <= node-rank < nnodes (node 0 runs the tracker)", nnodes, nodeRank));
        }
        if (masterPort < 0 || masterPort > 65535) {
            throw new IllegalArgumentException("--master-port=" + masterPort + ": a TCP port is 1 to 65535 (0: "
                    + "node 0 picks one)");
        }
        if (timeout < 1 || timeout > 7 * 24 * 3600 || grace < 0 || grace > 3600) {
            throw new IllegalArgumentException(String.format("--timeout=%d --grace=%d: the tracker's timeout is 1 to "
                    + "604800 seconds, the grace after a failure 0 to 3600 seconds", timeout, grace));
        }
        if (silence < 1 || silence > 7 * 24 * 3600) {
            throw new IllegalArgumentException("--silence=" + silence + ": the seconds a rank may go without a heartbeat "
                    + "are 1 to 604800");
        }
        return Torchrun.launch(nproc, nnodes, nodeRank, masterAddr, masterPort, command, grace, timeout, silence);
    }
}

package gptkit.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import gptkit.autograd.Autograd;
import gptkit.model.GPT;
import gptkit.model.GPTConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Malloc keeps libtorch's freed tensors in the process: a step that frees and allocates the
 * same activations again does not fault their pages in again. Measured in a fresh JVM (a probe
 * running training steps of the small model), once as gptkit sets malloc up and once with a
 * GLIBC_TUNABLES of the user's that maps and unmaps every large buffer: that must win, and fault.
 */
class MallocTest {
    static final int STEPS = 12;

    @Test
    void freedTensorsAreReusedWithoutPageFaults() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/stat")), "counts page faults through Linux's /proc");
        Probe ours = probe(Map.of());
        assumeTrue(ours.setting().startsWith("mmap threshold"), "glibc only: " + ours.setting());
        assertTrue(ours.faultsPerStep() < 1000, "with gptkit's malloc settings, " + ours.faultsPerStep()
                + " page faults per training step (" + ours.setting() + ")");
        // the user's GLIBC_TUNABLES wins over gptkit's settings; this one maps every buffer over 64 KiB
        // and unmaps it when freed, so every step faults its activations in again (the check can fail).
        // Not glibc's defaults: their threshold moves up as mapped buffers are freed, so whether they
        // fault depends on the order the threads free in (it gave 589 faults a step in one run, 12,814 in another).
        Probe mapped = probe(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=65536"));
        assertEquals("left as set: GLIBC_TUNABLES", mapped.setting());
        assertTrue(mapped.faultsPerStep() > 2000, "a fixed 64 KiB mmap threshold gives back and faults in the "
                + "activations' memory every step: " + mapped.faultsPerStep() + " page faults per step");
    }

    @Test
    void theUsersOwnMallocSettingWins() {
        assertEquals("GLIBC_TUNABLES", Malloc.usersChoice(Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")));
        assertEquals("MALLOC_TOP_PAD_", Malloc.usersChoice(Map.of("MALLOC_TOP_PAD_", "0")));
        assertEquals(null, Malloc.usersChoice(Map.of("GLIBC_TUNABLES", "glibc.pthread.rseq=0", "HOME", "/")));
    }

    record Probe(String setting, long faultsPerStep) {}

    static Probe probe(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                FaultProbe.class.getName())).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        String[] last = out.strip().lines().reduce((a, b) -> b).orElse("").split("\t");
        assertEquals(2, last.length, out);
        return new Probe(last[0], Long.parseLong(last[1]));
    }

    /** Run in its own JVM: training steps of the CPU recipe's model; prints the setting and page faults per step. */
    public static final class FaultProbe {
        public static void main(String[] args) throws Exception {
            Engines.init();
            GPTConfig shape = new GPTConfig(64, 65, 4, 4, 128, 0.0, false); // shakespeare_char_cpu
            try (GPT model = new GPT(shape, Device.cpu(), 1)) {
                model.fastAttention(false); // the written-out attention: its T x T matrices are what glibc gave back
                long[] tokens = new long[12 * 64];
                Arrays.setAll(tokens, i -> (i * 7919L) % 65);
                long before = 0;
                for (int i = 0; i <= STEPS; i++) {
                    if (i == 2) {
                        before = minorFaults(); // the first steps fault: their memory is new
                    }
                    try (NDScope scope = new NDScope(); Autograd recording = Autograd.record()) {
                        scope.suppressNotUsedWarning();
                        NDArray x = model.manager().create(tokens, new Shape(12, 64));
                        Autograd.backward(model.loss(x, x));
                    }
                }
                System.out.println(Malloc.keepFreedMemory() + "\t" + (minorFaults() - before) / (STEPS - 1));
            }
        }

        static long minorFaults() throws Exception {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]); // field 10, minflt
        }
    }
}

package gptkit.engine;

import gptkit.autograd.NoGrad;

/**
 * A planted package cycle: the engine reaching up into autograd, which uses the engine's
 * kernels (what gptkit.Tensors did from the root package). ArchitectureTest must reject it.
 */
public final class PlantedCycle {
    private PlantedCycle() {}

    public static boolean gradMode() {
        try (NoGrad ng = NoGrad.open()) {
            return false;
        }
    }
}

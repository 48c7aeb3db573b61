package gptkit.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import gptkit.engine.Engines;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * optimizer.zero_grad() in PyTorch's order: zero_grad, forward, backward, step. The first
 * zero_grad comes before any backward, so no parameter has a gradient yet; and a parameter that
 * the loss does not use never gets one. zero_grad must leave those alone and zero the rest.
 */
class AutogradZeroGradTest {

    @Test
    void zeroGradBeforeTheFirstBackwardAndOnParametersWithoutGradient() {
        Engines.engine();
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice(), "PyTorch")) {
            NDArray used = m.create(new float[] {1, 2, 3});
            NDArray unused = m.create(new float[] {4, 5}); // never in the loss: no gradient, ever
            used.setRequiresGradient(true);
            unused.setRequiresGradient(true);
            List<NDArray> params = List.of(used, unused);
            for (int step = 0; step < 3; step++) {
                Autograd.zeroGrad(params); // step 0: before any backward (it threw "no tensor arguments" before)
                try (Autograd recording = Autograd.record()) {
                    NDArray loss = used.mul(used).sum(); // d/dx x^2 = 2x
                    Autograd.backward(loss);
                }
                // zeroed before backward: the gradient is this step's alone, not the sum of all steps
                assertArrayEquals(new float[] {2, 4, 6}, used.getGradient().toFloatArray(), 0f, "step " + step);
            }
            Autograd.zeroGrad(params);
            assertArrayEquals(new float[] {0, 0, 0}, used.getGradient().toFloatArray(), 0f);
            // never given one: DJL reads a missing gradient as zeros (and zero_grad did not make one up)
            assertArrayEquals(new float[] {0, 0}, unused.getGradient().toFloatArray(), 0f);
        }
    }
}

package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.model.LoraLinear;

import java.util.random.RandomGenerator;

/** Wrong: W made trainable: backward records gradients for the frozen base (and AdamW would need state for it). */
public final class LoraTrainsBase implements LoraLinear {

    public LoraTrainsBase() {
    }

    @Override
    public NDArray forward(NDArray x, NDArray weight, NDArray bias, NDArray loraA, NDArray loraB, NDArray alpha) {
        weight.setRequiresGradient(true);
        NDArray base = x.matMul(weight.transpose());
        if (bias != null) {
            base = base.add(bias);
        }
        NDArray low = x.matMul(loraA.transpose()).matMul(loraB.transpose());
        return base.add(low.mul(alpha.div(loraA.getShape().get(0))));
    }

    @Override
    public NDList init(NDManager manager, long in, long out, int rank, RandomGenerator rng) {
        float[] a = new float[(int) (rank * in)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rng.nextGaussian() * 0.02);
        }
        return new NDList(manager.create(a, new Shape(rank, in)), manager.zeros(new Shape(out, rank)));
    }
}

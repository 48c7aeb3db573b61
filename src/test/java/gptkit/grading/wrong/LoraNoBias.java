package gptkit.grading.wrong;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.model.LoraLinear;

import java.util.random.RandomGenerator;

/** Wrong: the bias forgotten: y = x W^T + (alpha/r) (x A^T) B^T. */
public final class LoraNoBias implements LoraLinear {

    public LoraNoBias() {
    }

    @Override
    public NDArray forward(NDArray x, NDArray weight, NDArray bias, NDArray loraA, NDArray loraB, NDArray alpha) {
        NDArray base = x.matMul(weight.transpose());
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

package gptkit.solutions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import gptkit.model.LoraLinear;

import java.util.random.RandomGenerator;

/** Reference answer to exercises/Lora.java. */
public final class Lora implements LoraLinear {

    public Lora() {
    }

    @Override
    public NDArray forward(NDArray x, NDArray weight, NDArray bias, NDArray loraA, NDArray loraB, NDArray alpha) {
        NDArray base = x.matMul(weight.transpose());
        if (bias != null) {
            base = base.add(bias);
        }
        NDArray low = x.matMul(loraA.transpose()).matMul(loraB.transpose());
        // alpha requires no gradient, so alpha.div(r) is an ordinary tensor libtorch owns: a safe factor
        NDArray scale = alpha.div(loraA.getShape().get(0));
        return base.add(low.mul(scale));
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

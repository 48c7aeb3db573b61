package gptkit.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/** Writing Java values into an existing tensor, safely. */
public final class Tensors {
    private Tensors() {}

    /**
     * target[...] = values, copied into target's own memory. DJL's NDArray.set(float[]) does not
     * copy on the CPU: it points the tensor at a Java buffer that only that NDArray object keeps
     * alive, so through a temporary handle (a gradient, say) the tensor ends up on freed memory.
     */
    public static void copyInto(NDArray target, float[] values) {
        try (NoGrad ng = NoGrad.open(); NDArray src = target.getManager().create(values, target.getShape())) {
            target.set(new NDIndex("..."), src.toType(target.getDataType(), false));
        }
    }
}

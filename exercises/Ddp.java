import ai.djl.ndarray.NDArray;
import gptkit.ddp.Collective;
import gptkit.exercises.NotImplementedYet;

import java.util.List;

/**
 * Exercise ddp (notebook 08): the trainer's gradient-averaging part, what PyTorch's
 * DistributedDataParallel does after the last micro-step's backward. Check it:
 * {@code ./mvnw test -Dexercise=ddp}. Train with it: {@code ./gptkit train shakespeare_char_cpu
 * --parts=exercises} (on one process there is nothing to average; {@code ./gptkit torchrun
 * --nproc-per-node=2 train shakespeare_char_cpu --parts=exercises} runs it on two).
 *
 * <p>The contract ({@link Collective#averageGradients}): every rank calls
 * {@code averageGradients(grads)} with its own gradients, the same number of tensors of the same
 * shapes on every rank; afterwards every rank's gradients hold the element-wise mean over all
 * ranks: the sum over ranks divided by the world size. It makes exactly one all-reduce per call
 * (DDP puts the gradients in buckets; here all of them go in one), through the collective this
 * part is built on ({@code comm.allReduceSum(float[])}: every rank's buffer becomes the sum of all
 * ranks' buffers, and it blocks until every rank has called it). The results go into the given
 * NDArray objects, in place: the trainer reads the same tensors afterwards, and a gradient may be
 * a handle on a parameter's .grad. {@code rank()}, {@code worldSize()}, {@code allReduceSum},
 * the counters and {@code close()} are the collective's own; they are written for you.
 *
 * <p>Why: every rank holds the same weights but trains on its own batches. If every rank steps
 * with the mean gradient, the weights stay identical everywhere and the run equals one process
 * with a world-size-times larger batch. A sum instead of a mean makes every step world-size times
 * too large; one all-reduce per tensor pays the network's latency once per tensor instead of once
 * per step.
 *
 * <p>Read: nanoGPT's train.py (the DDP setup, {@code model = DDP(model, device_ids=[ddp_local_rank])},
 * {@code model.require_backward_grad_sync}), PyTorch's notes on DistributedDataParallel (gradient
 * buckets, all-reduce, division by the world size), gptkit.autograd.Tensors.copyInto, and notebook 08.
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class Ddp implements Collective {
    private final Collective comm;

    public Ddp(Collective comm) {
        this.comm = comm;
    }

    @Override
    public void averageGradients(List<NDArray> grads) {
        // TODO: one all-reduce of all gradients, divided by the world size, written back in place
        throw new NotImplementedYet();
    }

    @Override
    public int rank() {
        return comm.rank();
    }

    @Override
    public int worldSize() {
        return comm.worldSize();
    }

    @Override
    public void allReduceSum(float[] data) {
        comm.allReduceSum(data);
    }

    @Override
    public long allReduceCount() {
        return comm.allReduceCount();
    }

    @Override
    public double allReduceSeconds() {
        return comm.allReduceSeconds();
    }

    @Override
    public void close() {
        comm.close();
    }
}

/*
 * If you are stuck: DDP's all-reduce with one bucket.
 *
 *   n = the total number of values of all gradients (g.size() summed)
 *   flat = new float[n]; copy every gradient's values into it, one after the other
 *          (g.toType(DataType.FLOAT32, false).toFloatArray())
 *   comm.allReduceSum(flat)                  # once: flat is now the sum over all ranks
 *   flat[i] *= 1f / comm.worldSize()         # the mean: divide by the number of ranks,
 *                                            # not by the number of tensors
 *   for each gradient g, at its offset in flat:
 *       part = its g.size() values
 *       Tensors.copyInto(g, part)            # gptkit.autograd.Tensors: in place, into g's own memory
 *
 * Not g.set(part): on the CPU DJL points the tensor at a Java buffer that only that handle keeps
 * alive, so through a handle on .grad the gradient ends up on freed memory. Not
 * grads.set(i, newArray): the trainer keeps the original tensors. Put the copies under
 * NoGrad.open() (gptkit.autograd.NoGrad) so autograd does not record them.
 */

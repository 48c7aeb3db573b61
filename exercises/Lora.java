import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import gptkit.exercises.NotImplementedYet;
import gptkit.model.LoraLinear;

import java.util.random.RandomGenerator;

/**
 * Exercise lora (notebook 10): the LoRA part, a linear layer with a trainable low-rank update.
 * Check it: {@code ./mvnw test -Dexercise=lora}. Train with it (LoRA on one poet, from the SFT model of
 * README "Fine-tuning"): {@code ./gptkit finetune songci_sft_cpu --init_from=out-songci-sft
 * --dataset=songci_poet_辛弃疾 --lora_rank=8 --parts=exercises}.
 *
 * <p>The contract ({@link LoraLinear}):
 * <ul>
 * <li>{@code forward(x, weight, bias, loraA, loraB, alpha)} returns
 * {@code y = x W^T + b + (alpha / r) * (x A^T) B^T} for x (..., in), W (out, in), b (out) or null
 * (a model without biases), A (r, in), B (out, r), r = A's first dimension, alpha a 0-dimensional
 * float32 tensor. W and b belong to the frozen base model: they must record no gradient. The
 * trainer calls backward on a loss built from y: the gradients reach A and B through your NDArray
 * operations.</li>
 * <li>{@code init(manager, in, out, rank, rng)} returns {A, B}: A of shape (rank, in) drawn
 * normal(0, 0.02) from rng, B of shape (out, rank) all zeros, float32, made in manager.</li>
 * </ul>
 *
 * <p>Why: fine-tuning every weight of a model costs a full copy of it (weights, gradients and
 * AdamW's two moments) for each task. LoRA (Hu et al. 2021) learns the change of each weight as a
 * product B A of rank r, a few per cent of the parameters; the base stays shared and untouched.
 * B = 0 at the start makes the update zero, so training starts from the base model itself, not
 * from a randomly disturbed one; A random gives B a gradient from the first step. alpha / r keeps
 * the size of the update about the same when you change r.
 *
 * <p>The DJL trap: {@code low.mul(2.0f)} with a Java number wraps it in a buffer freed right after
 * the op, and backward needs that factor for the gradient of low. Scale by a tensor: alpha is
 * one, and {@code alpha.div(r)} is a tensor libtorch owns.
 *
 * <p>Read: MiniMind's model/model_lora.py (class LoRA), PEFT's LoraLayer (the alpha / r scale).
 *
 * <p>Stuck? The steps are spelled out at the end of this file. Try without them first.
 */
public final class Lora implements LoraLinear {

    public Lora() {
    }

    @Override
    public NDArray forward(NDArray x, NDArray weight, NDArray bias, NDArray loraA, NDArray loraB, NDArray alpha) {
        // TODO: the base's x W^T (+ b), plus (alpha / r) (x A^T) B^T
        throw new NotImplementedYet();
    }

    @Override
    public NDList init(NDManager manager, long in, long out, int rank, RandomGenerator rng) {
        // TODO: A (rank, in) normal(0, 0.02) from rng; B (out, rank) zeros
        throw new NotImplementedYet();
    }
}

/*
 * If you are stuck: LoRA's forward, step by step, on NDArrays.
 *
 *   base = x.matMul(weight.transpose())           (out, in) -> x W^T, shape (..., out)
 *   if bias != null: base = base.add(bias)
 *   low  = x.matMul(loraA.transpose()).matMul(loraB.transpose())     (..., r) then (..., out)
 *   r    = loraA.getShape().get(0)
 *   return base.add(low.mul(alpha.div(r)))        a tensor scale: no Java number in the graph
 *
 * Do not call setRequiresGradient on weight or bias: the base is frozen.
 *
 * init: float[] a = new float[rank * in], each rng.nextGaussian() * 0.02;
 *   new NDList(manager.create(a, new Shape(rank, in)), manager.zeros(new Shape(out, rank)))
 */

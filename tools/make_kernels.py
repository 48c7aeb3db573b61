"""Writes src/main/resources/gptkit/kernels.pt: gptkit's few TorchScript kernels.

    .venv-torch/bin/python tools/make_kernels.py      # PyPI torch 2.7.1, as for make_fixtures.py

A training step of a small GPT is a few hundred calls into libtorch, and from Java each one costs a
JNI crossing and a tensor handle. A TorchScript function runs many libtorch operations in one such
call. gptkit loads this module with DJL (JniUtils.loadModule) and calls its methods by name
(gptkit.engine.Kernels). Each method does exactly the operations, in exactly the order, of the Java code it
stands in for, so the results are the same to the bit (tested: FusedClipGradNormTest), except two:
fused_adamw_, which is torch.optim.AdamW(fused=True)'s own kernel (equal to PyTorch's fused step to the bit
and to gptkit.optim.AdamW to float32 rounding: FusedAdamWTest), and linear, whose matrix products run in
oneDNN instead of MKL (equal to libtorch's linear to float32 rounding: KernelsTest).

The module holds code only, no weights: the .pt is a zip whose code/ folder is the TorchScript
below as torch compiled it.
"""
import os
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "gptkit", "kernels.pt")


class Kernels(torch.nn.Module):
    @torch.jit.export
    def fused_adamw_(self, params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor],
                     exp_avg_sqs: List[Tensor], step: float, lr: float, beta1: float, beta2: float,
                     weight_decay: float, eps: float):
        """torch.optim.AdamW(fused=True)'s step for one parameter group: libtorch's fused AdamW kernel,
        the very call torch makes (torch._fused_adamw_, amsgrad and maximize off, no grad scale).

        One pass over each tensor's four arrays, vectorised and split across the CPU threads: p times
        (1 - lr * weight_decay), m lerped towards g by 1 - beta1, v = beta2 v + (1 - beta2) g g, then
        p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), the bias corrections computed
        from step in double as torch does. The arithmetic of gptkit.optim.AdamW, fused: the results agree
        with it to float32 rounding (lerp and fused multiply-adds round once where AdamW rounds twice).
        Measured on the small model's 27 tensors, 2 CPUs: 0.3 ms a step, against 2.5 ms for the same
        arithmetic as seven libtorch operations per tensor. torch keeps a step count per tensor; here one
        number serves the whole group (the trainer steps every tensor together), on the tensors' device
        as torch keeps it for fused=True."""
        steps = [torch.full([], step, dtype=torch.float32, device=params[0].device)] * len(params)
        torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, [], steps, lr=lr, beta1=beta1, beta2=beta2,
                            weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)

    @torch.jit.export
    def linear(self, x: Tensor, weight: Tensor) -> Tensor:
        """F.linear(x, weight), x W^T, with its matrix products in oneDNN: aten::mkldnn_linear, whose backward
        (mkldnn_linear_backward) is oneDNN's too. oneDNN works on tensors of its own layout, so x goes in
        through to_mkldnn and the result comes out through to_dense (copies of the activations, small next
        to the products; autograd records both). Why: MKL, behind libtorch's linear on a CPU, runs its AVX2
        code on AMD processors, where oneDNN runs AVX-512 (gptkit.engine.Kernels.linear, README "Speed").
        Both compute in float32; they add the products in another order, so the results agree to float32
        rounding, not to the bit (KernelsTest)."""
        return torch.ops.aten.mkldnn_linear(x.contiguous().to_mkldnn(), weight, None).to_dense()

    @torch.jit.export
    def linear_bias(self, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
        """F.linear(x, weight, bias), x W^T + b, in oneDNN as linear above."""
        return torch.ops.aten.mkldnn_linear(x.contiguous().to_mkldnn(), weight, bias).to_dense()

    @torch.jit.export
    def cross_entropy(self, logits: Tensor, targets: Tensor) -> Tensor:
        """nanoGPT's loss: F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1), computed in
        float32 whatever the logits' type (gptkit.model.CrossEntropy writes it out)."""
        v = logits.size(-1)
        return F.cross_entropy(logits.reshape(-1, v).float(), targets.reshape(-1), ignore_index=-1)

    @torch.jit.export
    def clip_grads_(self, grads: List[Tensor], max_norm: float) -> Tensor:
        """gptkit.train.ClipGradNorm.clipGradNorm: the 2-norm of all gradients together; when it is over max_norm,
        every gradient times max_norm / (norm + 1e-6). Returns the norm. The coefficient is computed in
        float32 as the Java code computes it in float."""
        norms = [g.norm(2, [], False) for g in grads]
        total = torch.stack(norms).norm(2, [], False)
        coef = torch.tensor(max_norm, dtype=torch.float32) / (total + 1e-6)
        if bool(coef < 1.0):  # torch clamps the coefficient to 1: a multiply by 1 changes nothing
            for g in grads:
                g.mul_(coef)
        return total

    @torch.jit.export
    def zero_grad_(self, params: List[Tensor]):
        """gptkit.autograd.Autograd.zeroGrad: every gradient there is, set to zero in place.

        A parameter before its first backward, or one that backward did not reach, has no gradient.
        TorchScript types p.grad as a Tensor that is never None and drops a plain `is not None`
        test, so zero_() would get an undefined tensor; a list of Optional keeps the test."""
        grads: List[Optional[Tensor]] = [p.grad for p in params]
        for g in grads:
            if g is not None:
                g.zero_()

    def forward(self, qkv: Tensor, n_head: Tensor) -> Tensor:
        """Causal self-attention from c_attn's output (B, T, 3C) to the heads' outputs side by side (B, T, C).

        gptkit.model.GPT.attention writes it out (q k^T / sqrt(hs), the causal mask, softmax, times v);
        this is nanoGPT's fast path, F.scaled_dot_product_attention(is_causal=True), which on a CPU is
        libtorch's flash-attention kernel with its own backward. It is the forward of the module because
        DJL runs a module's forward with autograd recording (a method by name it runs without)."""
        nh = int(n_head.item())
        b, t, c = qkv.size(0), qkv.size(1), qkv.size(2) // 3
        q, k, v = qkv.split(c, dim=2)
        q = q.view(b, t, nh, c // nh).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(b, t, nh, c // nh).transpose(1, 2)
        v = v.view(b, t, nh, c // nh).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return y.transpose(1, 2).contiguous().view(b, t, c)


if __name__ == "__main__":
    assert torch.__version__.startswith("2.7.1"), f"DJL 0.35.1's libtorch is 2.7.1, this is torch {torch.__version__}"
    m = torch.jit.script(Kernels())
    m.save(os.path.normpath(OUT))
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT):,} bytes) with torch {torch.__version__}")

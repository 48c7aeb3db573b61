"""PyTorch's side of the speed comparison: times training steps of nanoGPT's GPT in plain PyTorch.

    .venv-torch/bin/python tools/bench_pytorch.py --shape=cpu --iters=30
    .venv-torch/bin/python tools/bench_pytorch.py --n_layer=6 --n_head=6 --n_embd=384 --block_size=256 --batch_size=8

The model and the step have nanoGPT's semantics (written for this kit, not copied): token and
position embeddings, pre-LayerNorm blocks (LayerNorm without bias when bias=False), causal
self-attention through scaled_dot_product_attention(is_causal=True), a 4x GELU MLP, a final
LayerNorm and an lm_head tied to the token embedding; nanoGPT's init (normal 0.02, residual
projections 0.02/sqrt(2 n_layer)); torch.optim.AdamW with two groups (weight decay on tensors of
dim >= 2 only), clip_grad_norm_ 1.0, zero_grad(set_to_none=True). Batches are random windows of
the token file gptkit's prepare writes (uint16, nanoGPT's train.bin) or, without one, random tokens.

Prints ms/iter (median, mean, min of the timed iterations after the warmup), tokens/s and the
process's peak resident memory (VmHWM). A benchmark, not a test.
"""
import argparse
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SHAPES = {
    # nanoGPT README's CPU recipe, gptkit's shakespeare_char_cpu
    "cpu": dict(n_layer=4, n_head=4, n_embd=128, block_size=64, batch_size=12, dropout=0.0),
    # the GPU recipe's model (shakespeare_char) with a batch that a 2-core CPU runs in reasonable time
    "large": dict(n_layer=6, n_head=6, n_embd=384, block_size=256, batch_size=8, dropout=0.0),
}


class LayerNorm(nn.Module):
    def __init__(self, n, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.bias = nn.Parameter(torch.zeros(n)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class Block(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.n_head, self.dropout = a.n_head, a.dropout
        self.ln_1 = LayerNorm(a.n_embd, a.bias)
        self.c_attn = nn.Linear(a.n_embd, 3 * a.n_embd, bias=a.bias)
        self.attn_proj = nn.Linear(a.n_embd, a.n_embd, bias=a.bias)
        self.ln_2 = LayerNorm(a.n_embd, a.bias)
        self.c_fc = nn.Linear(a.n_embd, 4 * a.n_embd, bias=a.bias)
        self.mlp_proj = nn.Linear(4 * a.n_embd, a.n_embd, bias=a.bias)
        self.drop = nn.Dropout(a.dropout)

    def attention(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.n_head, c // self.n_head).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0,
                                           is_causal=True)
        return self.drop(self.attn_proj(y.transpose(1, 2).contiguous().view(b, t, c)))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.drop(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)))))


class GPT(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.wte = nn.Embedding(a.vocab_size, a.n_embd)
        self.wpe = nn.Embedding(a.block_size, a.n_embd)
        self.drop = nn.Dropout(a.dropout)
        self.blocks = nn.ModuleList(Block(a) for _ in range(a.n_layer))
        self.ln_f = LayerNorm(a.n_embd, a.bias)
        self.lm_head = nn.Linear(a.n_embd, a.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying
        for name, p in self.named_parameters():
            if name.endswith("proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * a.n_layer))
            elif p.dim() >= 2:
                nn.init.normal_(p, 0.0, 0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(t, device=idx.device)))
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def peak_rss_bytes():
    """VmHWM of this process (Linux); ru_maxrss elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", choices=sorted(SHAPES), default="cpu")
    for k in ("n_layer", "n_head", "n_embd", "block_size", "batch_size"):
        ap.add_argument("--" + k, type=int)
    ap.add_argument("--dropout", type=float)
    ap.add_argument("--bias", action="store_true", help="biases in Linear and LayerNorm (nanoGPT's bias=True)")
    ap.add_argument("--vocab_size", type=int, default=65)
    ap.add_argument("--iters", type=int, default=30, help="timed iterations")
    ap.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    ap.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's own, as its users run it)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "data", "shakespeare_char", "train.bin"),
                    help="uint16 token file (default: gptkit's data/shakespeare_char/train.bin); 'random' for random tokens")
    ap.add_argument("--seed", type=int, default=1337)
    a = ap.parse_args()
    for k, v in SHAPES[a.shape].items():
        if getattr(a, k) is None:
            setattr(a, k, v)

    if a.threads:
        torch.set_num_threads(a.threads)
    a.threads = torch.get_num_threads()
    torch.manual_seed(a.seed)
    if a.data != "random" and os.path.exists(a.data):
        import numpy as np
        data = torch.from_numpy(np.fromfile(a.data, dtype=np.uint16).astype(np.int64))
        source = a.data
    else:
        data = torch.randint(a.vocab_size, (1_000_000,))
        source = f"random tokens (vocab {a.vocab_size})"

    def get_batch():
        ix = torch.randint(len(data) - a.block_size, (a.batch_size,))
        x = torch.stack([data[i:i + a.block_size] for i in ix])
        y = torch.stack([data[i + 1:i + 1 + a.block_size] for i in ix])
        return x, y

    model = GPT(a)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.99))

    ms = []
    for it in range(a.warmup + a.iters):
        t0 = time.perf_counter()
        x, y = get_batch()
        loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        lossf = loss.item()
        if it >= a.warmup:
            ms.append((time.perf_counter() - t0) * 1000)
    tokens = a.batch_size * a.block_size
    n_params = sum(p.numel() for p in params)
    print(f"pytorch {torch.__version__}: {a.n_layer} layers, {a.n_head} heads, n_embd {a.n_embd}, block {a.block_size}, "
          f"batch {a.batch_size}, dropout {a.dropout}, bias {a.bias}, {n_params:,} parameters; {a.threads} thread(s); "
          f"batches from {source}")
    print(f"{len(ms)} timed iterations after {a.warmup} warmup, {tokens:,} tokens/iter, last loss {lossf:.4f}")
    print(f"ms/iter: mean {statistics.mean(ms):.2f}, median {statistics.median(ms):.2f}, min {min(ms):.2f}")
    print(f"tokens/s: {tokens / (statistics.mean(ms) / 1000):,.0f}")
    print(f"peak RSS: {peak_rss_bytes() / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()

"""Writes the test fixtures of gptkit from real PyTorch.

    python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy
    .venv-torch/bin/python tools/make_fixtures.py

Each fixture is a JSON file in src/test/resources/fixtures/: the inputs, and what torch computes
from them. The Java tests load the same inputs and compare. Re-running gives the same files.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def save(name, obj):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f)
    print("wrote", name)


# ---------------------------------------------------------------- a GPT written from the paper
class Block(nn.Module):
    def __init__(self, c, n_head, bias):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(c, bias=bias)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(c, 3 * c, bias=bias)
        self.attn.c_proj = nn.Linear(c, c, bias=bias)
        self.ln_2 = nn.LayerNorm(c, bias=bias)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(c, 4 * c, bias=bias)
        self.mlp.c_proj = nn.Linear(4 * c, c, bias=bias)

    def attention(self, x):
        b, t, c = x.shape
        q, k, v = self.attn.c_attn(x).split(c, dim=2)
        heads = lambda z: z.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), is_causal=True)
        return self.attn.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x))))


class TinyGPT(nn.Module):
    def __init__(self, vocab, block, n_layer, n_head, c, bias):
        super().__init__()
        self.transformer = nn.Module()
        self.transformer.wte = nn.Embedding(vocab, c)
        self.transformer.wpe = nn.Embedding(block, c)
        self.transformer.h = nn.ModuleList([Block(c, n_head, bias) for _ in range(n_layer)])
        self.transformer.ln_f = nn.LayerNorm(c, bias=bias)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(t))
        for blk in self.transformer.h:
            x = blk(x)
        logits = F.linear(self.transformer.ln_f(x), self.transformer.wte.weight)  # tied lm_head
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def gpt_fixture(name, vocab, block, n_layer, n_head, c, bias, b, t, seed):
    g = torch.Generator().manual_seed(seed)
    model = TinyGPT(vocab, block, n_layer, n_head, c, bias)
    with torch.no_grad():
        for p in model.parameters():  # non-trivial values everywhere, LayerNorm gains included
            p.copy_(torch.randn(p.shape, generator=g) * 0.2)
    idx = torch.randint(vocab, (b, t), generator=g)
    targets = torch.randint(vocab, (b, t), generator=g)
    logits, loss = model(idx, targets)
    loss.backward()
    save(name, {
        "config": dict(vocab_size=vocab, block_size=block, n_layer=n_layer, n_head=n_head, n_embd=c, bias=bias),
        "params": {k: {"shape": list(p.shape), "data": flat(p)} for k, p in model.named_parameters()},
        "grads": {k: flat(p.grad) for k, p in model.named_parameters()},
        "idx": idx.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(), "batch": b, "time": t,
        "logits": flat(logits), "loss": float(loss.detach()),
    })


# ---------------------------------------------------------------- AdamW on a fixed problem
def adamw_fixture():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(16, 5, generator=g)
    y = torch.randn(16, 3, generator=g)
    w = torch.randn(3, 5, generator=g).requires_grad_()
    b = torch.randn(3, generator=g).requires_grad_()
    w0, b0 = flat(w), flat(b)
    lrs = [1e-2 * (i + 1) / 11 if i < 10 else 1e-2 * (0.5 + 0.5 * math.cos(math.pi * (i - 10) / 110)) for i in range(120)]
    opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
                            lr=lrs[0], betas=(0.9, 0.95), eps=1e-8, foreach=False, fused=False)
    losses = []
    for lr in lrs:
        for group in opt.param_groups:
            group["lr"] = lr
        loss = ((x @ w.T + b - y) ** 2).mean()
        losses.append(float(loss))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    st = opt.state[w]
    save("adamw.json", {
        "x": flat(x), "y": flat(y), "w0": w0, "b0": b0, "lrs": lrs, "betas": [0.9, 0.95], "eps": 1e-8,
        "weight_decay": 0.1, "losses": losses, "w": flat(w), "b": flat(b),
        "w_exp_avg": flat(st["exp_avg"]), "w_exp_avg_sq": flat(st["exp_avg_sq"]), "steps": len(lrs),
    })


def adamw_fused_fixture():
    """torch.optim.AdamW(fused=True), libtorch's one-pass kernel that the trainer runs (gptkit.optim.FusedAdamW),
    on two groups with scripted gradients and a changing lr: the weights and moments after every step."""
    g = torch.Generator().manual_seed(17)
    w = (torch.randn(3, 5, generator=g) * 0.05).requires_grad_()
    b = (torch.randn(3, generator=g) * 0.05).requires_grad_()
    w0, b0 = flat(w), flat(b)
    opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8, fused=True)
    steps = []
    for i in range(12):
        lr = 1e-3 * (i + 1) / 12
        for group in opt.param_groups:
            group["lr"] = lr
        w.grad = torch.randn(3, 5, generator=g) * 0.05
        b.grad = torch.randn(3, generator=g) * 0.05
        gw, gb = flat(w.grad), flat(b.grad)
        opt.step()
        steps.append({"lr": lr, "grad_w": gw, "grad_b": gb, "w": flat(w), "b": flat(b),
                      "w_exp_avg": flat(opt.state[w]["exp_avg"]), "w_exp_avg_sq": flat(opt.state[w]["exp_avg_sq"]),
                      "b_exp_avg": flat(opt.state[b]["exp_avg"]), "b_exp_avg_sq": flat(opt.state[b]["exp_avg_sq"])})
    save("adamw_fused.json", {"w0": w0, "b0": b0, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1,
                              "steps": steps})


# ---------------------------------------------------------------- clip_grad_norm_
def clip_fixture():
    g = torch.Generator().manual_seed(11)
    cases = []
    for max_norm in [1.0, 100.0, 0.5]:
        ps = [torch.zeros(4, 3, requires_grad=True), torch.zeros(3, requires_grad=True),
              torch.zeros(2, 2, 2, requires_grad=True)]
        for p in ps:
            p.grad = torch.randn(p.shape, generator=g) * 2
        before = [flat(p.grad) for p in ps]
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        cases.append({"max_norm": max_norm, "shapes": [list(p.shape) for p in ps], "grads": before,
                      "total_norm": float(total), "clipped": [flat(p.grad) for p in ps]})
    save("clip.json", {"cases": cases})


# ---------------------------------------------------------------- torch.amp.GradScaler
def grad_scaler_fixture():
    """A scripted run: which steps see inf/NaN gradients, and what the scaler does about it."""
    events = []
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    # growth_interval 3 so growth shows up in a short script; the defaults are checked below
    scaler = torch.amp.GradScaler("cpu", init_scale=65536.0, growth_factor=2.0, backoff_factor=0.5,
                                  growth_interval=3)
    script = ["ok", "ok", "ok", "inf", "ok", "nan", "ok", "ok", "ok", "ok", "ok", "ok", "-inf", "ok"]
    for kind in script:
        opt.zero_grad()
        scale_before = scaler.get_scale()
        loss = (w * torch.tensor([0.5, 0.25, -1.0])).sum()
        scaler.scale(loss).backward()
        if kind != "ok":
            w.grad[1] = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}[kind]
        w_before = w.detach().clone()
        scaler.unscale_(opt)
        unscaled = w.grad.detach().clone()
        scaler.step(opt)
        scaler.update()
        events.append({"kind": kind, "scale_before": scale_before, "scale_after": scaler.get_scale(),
                       "stepped": not torch.equal(w_before, w.detach()),
                       "unscaled_grad": [float(x) for x in unscaled.tolist()],
                       "w_after": flat(w)})
    d = torch.amp.GradScaler("cpu")
    save("grad_scaler.json", {"growth_interval": 3, "init_scale": 65536.0, "growth_factor": 2.0,
                              "backoff_factor": 0.5, "lr": 0.1, "w0": [1.0, -2.0, 3.0],
                              "dloss_dw": [0.5, 0.25, -1.0], "events": events,
                              "defaults": {"init_scale": d.get_scale(), "growth_factor": d.get_growth_factor(),
                                           "backoff_factor": d.get_backoff_factor(),
                                           "growth_interval": d.get_growth_interval()}})


# ---------------------------------------------------------------- train.py's loop, step by step
def train_loop_fixture():
    """Forty iterations of train.py's loop on a TinyGPT: nanoGPT's init, AdamW groups, get_lr with
    warmup and cosine decay down to min_lr, two accumulated micro-steps, clipping at 1.0. The batches
    are in the fixture, so the Java trainer can be fed exactly these and must follow the same path."""
    g = torch.Generator().manual_seed(5)
    vocab, block, n_layer, n_head, c, bias = 16, 8, 2, 2, 16, False
    batch, accum, iters = 4, 2, 40
    lr, min_lr, warmup, decay_iters, betas, wd, clip = 1e-2, 1e-3, 5, 30, (0.9, 0.99), 0.1, 1.0
    model = TinyGPT(vocab, block, n_layer, n_head, c, bias)
    with torch.no_grad():  # nanoGPT's initialisation
        for pn, p in model.named_parameters():
            if p.dim() < 2:
                p.fill_(1.0)
            else:
                std = 0.02 / math.sqrt(2 * n_layer) if pn.endswith("c_proj.weight") else 0.02
                p.copy_(torch.randn(p.shape, generator=g) * std)
    params = dict(model.named_parameters())
    init = {k: {"shape": list(p.shape), "data": flat(p)} for k, p in params.items()}
    opt = torch.optim.AdamW([{"params": [p for p in params.values() if p.dim() >= 2], "weight_decay": wd},
                             {"params": [p for p in params.values() if p.dim() < 2], "weight_decay": 0.0}],
                            lr=lr, betas=betas, eps=1e-8)

    def get_lr(it):
        if it < warmup:
            return lr * (it + 1) / (warmup + 1)
        if it > decay_iters:
            return min_lr
        ratio = (it - warmup) / (decay_iters - warmup)
        return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)

    xs, ys, lrs, losses, norms = [], [], [], [], []
    for it in range(iters):
        for group in opt.param_groups:
            group["lr"] = get_lr(it)
        for micro in range(accum):
            x = torch.randint(vocab, (batch, block), generator=g)
            y = (5 * x + 3) % vocab  # a rule the model can learn, so the loss falls
            xs.append(x.reshape(-1).tolist())
            ys.append(y.reshape(-1).tolist())
            _, loss = model(x, y)
            (loss / accum).backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip)))
        opt.step()
        opt.zero_grad(set_to_none=True)
        lrs.append(get_lr(it))
        losses.append(float(loss.detach()))  # train.py logs the last micro-step's loss
    assert min(norms) < clip < max(norms), "the fixture should clip some steps and not others"
    save("train_loop.json", {
        "config": dict(vocab_size=vocab, block_size=block, n_layer=n_layer, n_head=n_head, n_embd=c, bias=bias,
                       batch_size=batch, gradient_accumulation_steps=accum, max_iters=iters - 1,
                       learning_rate=lr, min_lr=min_lr, warmup_iters=warmup, lr_decay_iters=decay_iters,
                       beta1=betas[0], beta2=betas[1], weight_decay=wd, grad_clip=clip),
        "init": init, "x": xs, "y": ys, "lr": lrs, "loss": losses, "grad_norm": norms,
        "params": {k: flat(p) for k, p in params.items()},
        "exp_avg_sq": {k: flat(opt.state[p]["exp_avg_sq"]) for k, p in params.items()},
    })


def library_fixtures():
    torch.manual_seed(0)
    gpt_fixture("gpt_bias.json", vocab=13, block=8, n_layer=2, n_head=2, c=16, bias=True, b=2, t=8, seed=1)
    gpt_fixture("gpt_nobias.json", vocab=11, block=8, n_layer=2, n_head=4, c=16, bias=False, b=3, t=5, seed=2)
    adamw_fixture()
    adamw_fused_fixture()
    clip_fixture()
    grad_scaler_fixture()
    train_loop_fixture()


# ================================================================ graded exercises (exercises/, solutions/)
# Their own fixtures, prefixed ex_ (the grader also reads clip.json and grad_scaler.json above).
def ex_cross_entropy_fixture():
    g = torch.Generator().manual_seed(21)
    cases = {}
    for name, scale, ignore in [("random", 3.0, []), ("ignore", 3.0, [1, 4]), ("huge", 1000.0, [])]:
        logits = (torch.randn(6, 7, generator=g) * scale).requires_grad_()
        targets = torch.randint(7, (6,), generator=g)
        targets[ignore] = -1
        loss = F.cross_entropy(logits, targets, ignore_index=-1)  # nanoGPT's call
        loss.backward()
        cases[name] = {"logits": [flat(r) for r in logits], "targets": targets.tolist(),
                       "loss": float(loss.detach()), "grad": [flat(r) for r in logits.grad]}
    save("ex_cross_entropy.json", cases)


def ex_adamw_fixture():
    """torch.optim.AdamW on one tensor with scripted gradients: p, exp_avg, exp_avg_sq after every step."""
    g = torch.Generator().manual_seed(31)

    def run(p0, grads, lrs, betas, eps, wd):
        p = torch.nn.Parameter(p0.clone())
        opt = torch.optim.AdamW([p], lr=lrs[0], betas=betas, eps=eps, weight_decay=wd, foreach=False, fused=False)
        ps, ms, vs = [], [], []
        for grad, lr in zip(grads, lrs):
            opt.param_groups[0]["lr"] = lr
            p.grad = grad.clone()
            opt.step()
            st = opt.state[p]
            ps.append(flat(p)); ms.append(flat(st["exp_avg"])); vs.append(flat(st["exp_avg_sq"]))
        return {"p0": flat(p0), "grads": [flat(x) for x in grads], "lrs": lrs, "betas": list(betas), "eps": eps,
                "weight_decay": wd, "p": ps, "exp_avg": ms, "exp_avg_sq": vs}

    n, steps = 12, 30
    grads = [torch.randn(n, generator=g) * 0.5 for _ in range(steps)]
    grads[6] = torch.zeros(n)  # a step with no gradient at all
    for x in grads:
        x[3] = 0.0  # a weight that never gets a gradient
    lrs = [1e-2 * (i + 1) / 6 if i < 5 else 1e-3 + 0.5 * (1 + math.cos(math.pi * (i - 5) / 25)) * 9e-3
           for i in range(steps)]
    tiny = [torch.randn(8, generator=g) * 1e-5 for _ in range(5)]
    save("ex_adamw.json", {
        "trajectory": run(torch.randn(n, generator=g), grads, lrs, (0.9, 0.99), 1e-8, 0.1),
        "tiny": run(torch.randn(8, generator=g), tiny, [1e-3] * 5, (0.9, 0.95), 1e-8, 0.0),
        "zero": run(torch.randn(8, generator=g), [torch.zeros(8)] * 3, [1e-2, 2e-2, 3e-2], (0.9, 0.95), 1e-8, 0.1),
    })


def ex_configure_optimizers_fixture():
    """configure_optimizers' split of TinyGPT's named_parameters: p.dim() >= 2 is decayed."""
    out = {}
    for name, bias in [("bias", True), ("nobias", False)]:
        model = TinyGPT(vocab=11, block=8, n_layer=2, n_head=2, c=8, bias=bias)
        params = {pn: p for pn, p in model.named_parameters() if p.requires_grad}
        out[name] = {"names": list(params), "shapes": [list(p.shape) for p in params.values()],
                     "decay": [pn for pn, p in params.items() if p.dim() >= 2],
                     "no_decay": [pn for pn, p in params.items() if p.dim() < 2]}
    save("ex_configure_optimizers.json", out)


def ex_lora_fixture():
    """A LoRA linear (MiniMind's model_lora.py, with PEFT's alpha/r scale): y = x W^T + b + (alpha/r) (x A^T) B^T.
    W and b frozen (requires_grad=False), A and B trainable; loss = sum(y * g) for a fixed upstream g,
    so grad_A and grad_B are those of any loss whose gradient at y is g. zero_start: B = 0 (the init)."""
    g = torch.Generator().manual_seed(41)
    cases = {}
    for name, (batch, t, n_in, n_out, r, alpha, bias, zero) in {
            "adapted": (2, 3, 5, 4, 2, 4.0, True, False),
            "nobias": (1, 4, 6, 7, 3, 1.5, False, False),
            "zero_start": (2, 2, 5, 3, 2, 16.0, True, True)}.items():
        x = torch.randn(batch, t, n_in, generator=g)
        w = torch.randn(n_out, n_in, generator=g) * 0.5
        b = torch.randn(n_out, generator=g) * 0.5 if bias else None
        a = (torch.randn(r, n_in, generator=g) * 0.5).requires_grad_()
        bb = (torch.zeros(n_out, r) if zero else torch.randn(n_out, r, generator=g) * 0.5).requires_grad_()
        up = torch.randn(batch, t, n_out, generator=g)
        y = F.linear(x, w, b) + (alpha / r) * F.linear(F.linear(x, a), bb)
        (y * up).sum().backward()
        assert not w.requires_grad and w.grad is None
        cases[name] = {"x": flat(x), "x_shape": list(x.shape), "W": flat(w), "W_shape": list(w.shape),
                       "b": flat(b) if bias else None, "A": flat(a), "B": flat(bb), "r": r, "alpha": alpha,
                       "upstream": flat(up), "y": flat(y), "base": flat(F.linear(x, w, b)),
                       "grad_A": flat(a.grad), "grad_B": flat(bb.grad), "W_has_grad": w.grad is not None}
    save("ex_lora.json", cases)


def ex_sft_mask_fixture():
    """MiniMind's SFT dataset (dataset/lm_dataset.py, SFTDataset.__getitem__) on one prompt + response:
    ids cut to max_length = block_size + 1 and padded with pad, loss_mask 1 on the response's positions,
    X = ids[:-1], Y = ids[1:], loss_mask[1:]; y is Y with -1 where the mask is 0 (nanoGPT's ignore_index).
    Then the loss of random logits both ways: F.cross_entropy(logits, y, ignore_index=-1) and MiniMind's
    (loss * loss_mask).sum() / loss_mask.sum() over Y; None where no target counts."""
    g = torch.Generator().manual_seed(51)
    vocab = 13
    cases = {}
    for name, (p_len, r_len, block, pad) in {
            "padded": (3, 4, 10, 0),           # room to spare: padding after the example
            "truncated": (3, 9, 8, 12),        # 12 tokens, block 8: the response's end is cut
            "exact": (4, 5, 8, 1),             # block_size + 1 tokens: no padding, nothing cut
            "one_token": (5, 1, 7, 0),         # a response of one token: one target
            "prompt_fills_block": (6, 3, 6, 2),  # only y[block - 1] = response[0] counts
            "long_prompt": (9, 2, 6, 0)}.items():  # the prompt alone is longer than the block
        prompt = torch.randint(1, vocab, (p_len,), generator=g).tolist()
        response = torch.randint(1, vocab, (r_len,), generator=g).tolist()
        max_length = block + 1
        ids = (prompt + response)[:max_length]
        n = len(ids)
        ids = ids + [pad] * (max_length - n)
        loss_mask = [1 if p_len <= i < n else 0 for i in range(max_length)]
        X = torch.tensor(ids[:-1], dtype=torch.long)
        Y = torch.tensor(ids[1:], dtype=torch.long)
        mask = torch.tensor(loss_mask[1:], dtype=torch.long)
        y = torch.where(mask == 1, Y, torch.full_like(Y, -1))
        logits = torch.randn(block, vocab, generator=g) * 2
        counted = int(mask.sum())
        if counted:
            loss = float(F.cross_entropy(logits, y, ignore_index=-1))
            per = F.cross_entropy(logits, Y, reduction="none")
            hand = float((per * mask).sum() / mask.sum())  # MiniMind's masked mean
            assert abs(loss - hand) < 1e-6, (name, loss, hand)
        else:
            loss = hand = None
        cases[name] = {"prompt": prompt, "response": response, "block_size": block, "pad": pad,
                       "x": X.tolist(), "y": y.tolist(), "counted": counted, "vocab": vocab,
                       "logits": flat(logits), "loss": loss, "masked_mean": hand}
    save("ex_sft_mask.json", cases)


def exercise_fixtures():
    ex_cross_entropy_fixture()
    ex_adamw_fixture()
    ex_configure_optimizers_fixture()
    ex_lora_fixture()
    ex_sft_mask_fixture()


if __name__ == "__main__":
    # every fixture, in this order: re-running the script rewrites each file byte for byte
    library_fixtures()
    exercise_fixtures()
    print("torch", torch.__version__)

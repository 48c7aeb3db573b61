#!/usr/bin/env bash
# gptkit next to PyTorch as people run it, on the same GPT training step (README, "Speed"):
#   scripts/bench-vs-pytorch.sh [cpu|large] [--rounds=3] [--iters=N] [--threads=T] [--contended] [--nanogpt=PATH]
# --contended: each side also next to one `yes > /dev/null`; --nanogpt=PATH: nanoGPT's own train.py too
# (a clone of its repository with data/shakespeare_char prepared; never committed here).
# Needs PyTorch in .venv-torch:  python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy
# (or set PYTHON to a python that has torch and numpy).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-$root/.venv-torch/bin/python}"
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "bench-vs-pytorch: $py has no torch/numpy. Run: python3 -m venv .venv-torch && .venv-torch/bin/pip install torch numpy" >&2
  exit 2
fi
exec "$py" "$root/tools/bench_vs_pytorch.py" "$@"

#!/usr/bin/env bash
# gptkit next to PyTorch on the same GPT training step (README, "Speed"):
#   scripts/bench-vs-pytorch.sh [cpu|large] [--rounds=5] [--iters=N] [--threads=T]
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

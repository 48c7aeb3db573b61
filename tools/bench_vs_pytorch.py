"""gptkit next to PyTorch: the same GPT training step timed in both, alternately.

    scripts/bench-vs-pytorch.sh [cpu|large] [--rounds=5] [--iters=N] [--threads=T]

Runs `./gptkit bench` and tools/bench_pytorch.py one after the other, --rounds times each (5), with
the same shape, the same number of threads (OMP_NUM_THREADS for both, torch.set_num_threads for
PyTorch), the same OpenMP wait (GOMP_SPINCOUNT: gptkit's 1000 for both unless you set it or
OMP_WAIT_POLICY) and random batches of the same token file. Prints every run, then the medians of the
runs' median ms/iter, the ratio gptkit speed / PyTorch speed (PyTorch's ms / gptkit's ms: 1.0 is
as fast, 0.5 half as fast) and each side's peak resident memory (the process's maximum RSS as the
kernel reports it to its parent, measured the same way for both).

Shapes: cpu = shakespeare_char_cpu (4 layers, 4 heads, 128 wide, block 64, batch 12);
large = shakespeare_char's model (6 layers, 6 heads, 384 wide, block 256) with batch 8, dropout 0.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = {
    "cpu": dict(gptkit=["shakespeare_char_cpu", "--device=cpu"], pytorch=["--shape=cpu"], iters=30, warmup=5),
    "large": dict(gptkit=["shakespeare_char", "--batch_size=8", "--device=cpu", "--dropout=0.0"],
                  pytorch=["--shape=large"], iters=10, warmup=3),
}


def run(cmd, env):
    """Runs cmd; returns (stdout, peak RSS in bytes of the process, exit code)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    out, err = p.stdout.read(), p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    return out, usage.ru_maxrss * 1024


def gptkit_spincount():
    """GPTKIT_GOMP_SPINCOUNT of scripts/java-flags.sh: the spin count ./gptkit runs with."""
    with open(os.path.join(ROOT, "scripts", "java-flags.sh")) as f:
        m = re.search(r"^GPTKIT_GOMP_SPINCOUNT=(\d+)$", f.read(), re.M)
    if not m:
        raise SystemExit("no GPTKIT_GOMP_SPINCOUNT=N line in scripts/java-flags.sh")
    return m.group(1)


def median_ms(out):
    m = re.search(r"^ms/iter: mean [0-9.]+, median ([0-9.]+)", out, re.M)
    if not m:
        raise SystemExit("no 'ms/iter' line in:\n" + out)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shape", nargs="?", choices=sorted(SHAPES), default="cpu")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, help="timed iterations per run (cpu 30, large 10)")
    ap.add_argument("--warmup", type=int, help="untimed iterations first (cpu 5, large 3)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count()))
    a = ap.parse_args()
    s = SHAPES[a.shape]
    iters, warmup = a.iters or s["iters"], a.warmup or s["warmup"]
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    # The same OpenMP wait for both: ./gptkit sets GOMP_SPINCOUNT (scripts/java-flags.sh) unless it is set,
    # PyTorch leaves libgomp's default (300000). Unset, both get gptkit's; set it to compare at another.
    if "GOMP_SPINCOUNT" not in env and "OMP_WAIT_POLICY" not in env:
        env["GOMP_SPINCOUNT"] = gptkit_spincount()
    gptkit = [os.path.join(ROOT, "gptkit"), "bench", *s["gptkit"], f"--iters={iters}", f"--warmup={warmup}"]
    pytorch = [sys.executable, os.path.join(ROOT, "tools", "bench_pytorch.py"), *s["pytorch"],
               f"--iters={iters}", f"--warmup={warmup}", f"--threads={a.threads}"]
    subprocess.run([gptkit[0], "bench", "--help"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # builds the jar now if needed, not inside a timed run
    print(f"shape {a.shape}, {a.threads} thread(s), {a.rounds} rounds, {iters} timed iterations after {warmup} warmup, "
          f"GOMP_SPINCOUNT={env.get('GOMP_SPINCOUNT', '<unset>')} OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY', '<unset>')} for both")
    print("  gptkit:  " + " ".join(gptkit[1:]))
    print("  pytorch: " + " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in pytorch[1:]))
    first = None
    res = {"gptkit": [], "pytorch": []}
    for r in range(1, a.rounds + 1):
        for name, cmd in (("gptkit", gptkit), ("pytorch", pytorch)):
            out, rss = run(cmd, env)
            if first is None and name == "pytorch":
                first = out.splitlines()[0]
            ms = median_ms(out)
            res[name].append((ms, rss))
            print(f"round {r}  {name:8s} median {ms:9.2f} ms/iter   peak RSS {rss / 2**20:6.0f} MiB", flush=True)
    print(first)
    g = statistics.median(ms for ms, _ in res["gptkit"])
    p = statistics.median(ms for ms, _ in res["pytorch"])
    grss = statistics.median(rss for _, rss in res["gptkit"]) / 2**20
    prss = statistics.median(rss for _, rss in res["pytorch"]) / 2**20
    print(f"gptkit : median {g:.2f} ms/iter, peak RSS {grss:.0f} MiB")
    print(f"pytorch: median {p:.2f} ms/iter, peak RSS {prss:.0f} MiB")
    print(f"ratio (gptkit speed / PyTorch speed = PyTorch ms / gptkit ms): {p / g:.2f}; "
          f"peak RSS gptkit / PyTorch: {grss / prss:.2f}")


if __name__ == "__main__":
    main()

"""gptkit next to PyTorch as people run it: the same GPT training step timed in each, alternately.

    scripts/bench-vs-pytorch.sh [cpu|large] [--rounds=3] [--iters=N] [--contended] [--nanogpt=PATH]

Runs `./gptkit bench`, tools/bench_pytorch.py and, with --nanogpt=PATH, nanoGPT's own train.py (a
clone of its repository, never part of this one) one after the other, --rounds times each, with the
same shape. Each side runs as its users run it: gptkit through ./gptkit with its defaults, PyTorch
and nanoGPT with no OpenMP variable set unless you set one in the environment (then all get it), and
every side with its own default thread count unless --threads=T is given. --contended adds, in every
round, a run of each side next to one CPU-bound program (`yes > /dev/null`, started just before the
run and stopped right after it).

Prints every run, then for each side the median of its runs' median ms/iter (quiet and contended),
contended / quiet, the ratios gptkit speed / other's speed (other's ms / gptkit's ms: 1.0 is as
fast, above 1 faster) and each side's peak resident memory (the process's maximum RSS as the kernel
reports it to its parent, measured the same way for all).

Shapes: cpu = shakespeare_char_cpu (nanoGPT README's CPU recipe: 4 layers, 4 heads, 128 wide, block
64, batch 12); large = shakespeare_char's model (6 layers, 6 heads, 384 wide, block 256) with batch
8, dropout 0. nanoGPT runs config/train_shakespeare_char.py with --device=cpu --compile=False and
the shape's options; its data must be prepared first (data/shakespeare_char/prepare.py in PATH).
"""
import argparse
import atexit
import os
import re
import statistics
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = {
    "cpu": dict(gptkit=["shakespeare_char_cpu", "--device=cpu"], pytorch=["--shape=cpu"],
                nanogpt=["--eval_iters=20", "--block_size=64", "--batch_size=12", "--n_layer=4", "--n_head=4",
                         "--n_embd=128", "--lr_decay_iters=2000", "--dropout=0.0"],
                iters=150, warmup=10),
    "large": dict(gptkit=["shakespeare_char", "--batch_size=8", "--device=cpu", "--dropout=0.0"],
                  pytorch=["--shape=large"],
                  # eval_iters=1: its evaluation at iteration 0 (untimed) would take minutes at 200
                  nanogpt=["--batch_size=8", "--dropout=0.0", "--eval_iters=1"],
                  iters=20, warmup=3),
}
OMP_VARS = ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "GPTKIT_ADAPT_THREADS", "GPTKIT_ONEDNN")


def cpu_model():
    """The processor's name as Linux gives it (the figures depend on it: README, "Speed"), or "model unknown"."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "model unknown"


def fail(message):
    """One line on stderr, exit 2."""
    sys.stderr.write("error: " + message.lstrip() + "\n")
    raise SystemExit(2)


def run(cmd, env, cwd, busy):
    """Runs cmd, next to `yes > /dev/null` when busy; returns (stdout, peak RSS in MiB of the process)."""
    hog = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) if busy else None
    try:
        with tempfile.TemporaryFile("w+") as err:  # a file, not a pipe: a chatty stderr cannot block the run
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=cwd, text=True)
            out = p.stdout.read()
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            if p.returncode != 0:
                sys.stderr.write(err.read()[-3000:])
                fail(f" failed ({p.returncode}): {' '.join(cmd)}")
    finally:
        if hog:
            hog.kill()
            hog.wait()
    return out, usage.ru_maxrss / 1024


def median_ms(name, out, warmup):
    """gptkit's and bench_pytorch's 'ms/iter: ... median X' line; nanoGPT's 'iter N: ... time Xms' lines after warmup."""
    if name == "nanogpt":
        ms = [float(t) for i, t in re.findall(r"^iter (\d+): loss [0-9.]+, time ([0-9.]+)ms", out, re.M)
              if int(i) >= warmup]
        if not ms:
            fail(" no 'iter N: ... time Xms' lines from nanoGPT's train.py in:\n" + out[-2000:])
        return statistics.median(ms)
    m = re.search(r"^ms/iter: mean [0-9.]+, median ([0-9.]+)", out, re.M)
    if not m:
        fail(f" no 'ms/iter' line from {name} in:\n" + out[-2000:])
    return float(m.group(1))


def check_nanogpt(path):
    for f in ("train.py", "model.py", "config/train_shakespeare_char.py"):
        if not os.path.isfile(os.path.join(path, f)):
            fail(f" --nanogpt={path} has no {f}: give the folder of a clone of nanoGPT's repository")
    for f in ("train.bin", "val.bin", "meta.pkl"):
        if not os.path.isfile(os.path.join(path, "data", "shakespeare_char", f)):
            fail(f" --nanogpt={path} has no data/shakespeare_char/{f}: run its "
                             "data/shakespeare_char/prepare.py first (copy $GPTKIT_DATA/tinyshakespeare.txt "
                             "to data/shakespeare_char/input.txt there to skip its download)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shape", nargs="?", choices=sorted(SHAPES), default="cpu")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, help="timed iterations per run (cpu 150, large 20)")
    ap.add_argument("--warmup", type=int, help="untimed iterations first (cpu 10, large 3)")
    ap.add_argument("--threads", type=int, help="the same thread count for every side (default: each side's own)")
    ap.add_argument("--contended", action="store_true", help="also run each side next to one `yes > /dev/null`")
    ap.add_argument("--nanogpt", metavar="PATH", help="a clone of nanoGPT's repository: time its train.py too")
    a = ap.parse_args()
    s = SHAPES[a.shape]
    iters, warmup = a.iters or s["iters"], a.warmup or s["warmup"]
    env = dict(os.environ)
    if a.threads:
        env["OMP_NUM_THREADS"] = str(a.threads)
    threads = [f"--threads={a.threads}"] if a.threads else []
    sides = {
        "gptkit": ([os.path.join(ROOT, "gptkit"), "bench", *s["gptkit"], f"--iters={iters}", f"--warmup={warmup}"], ROOT),
        "pytorch": ([sys.executable, os.path.join(ROOT, "tools", "bench_pytorch.py"), *s["pytorch"],
                     f"--iters={iters}", f"--warmup={warmup}", *threads], ROOT),
    }
    if a.nanogpt:
        path = os.path.abspath(a.nanogpt)
        check_nanogpt(path)
        out_dir = tempfile.mkdtemp(prefix="gptkit-bench-nanogpt-")
        atexit.register(shutil.rmtree, out_dir, ignore_errors=True)  # nanoGPT's checkpoints of a benchmark: not kept
        sides["nanogpt"] = ([sys.executable, "train.py", "config/train_shakespeare_char.py", "--device=cpu",
                             "--compile=False", "--log_interval=1", *s["nanogpt"], f"--max_iters={warmup + iters - 1}",
                             f"--out_dir={out_dir}"], path)
    subprocess.run([os.path.join(ROOT, "gptkit"), "bench", "--help"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # builds the jar now if needed, not inside a timed run
    torch_version = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"], env=env,
                                   check=True, capture_output=True, text=True).stdout.strip()
    set_vars = " ".join(f"{k}={env[k]}" for k in OMP_VARS if k in env) or "none"
    print(f"shape {a.shape}, {a.rounds} rounds, {iters} timed iterations after {warmup} warmup, "
          f"{'quiet and next to one `yes`' if a.contended else 'quiet'}; torch {torch_version} ({sys.executable}); "
          f"{os.cpu_count()} CPUs ({cpu_model()}); threads {a.threads or 'each side its default'}; "
          f"OpenMP and gptkit variables set: {set_vars} "
          "(./gptkit adds its own defaults, scripts/java-flags.sh)")
    for name, (cmd, cwd) in sides.items():
        shown = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)
        print(f"  {name:8s} (in {cwd}): {shown}")
    conditions = ["quiet", "contended"] if a.contended else ["quiet"]
    res = {(n, c): [] for n in sides for c in conditions}
    for r in range(1, a.rounds + 1):
        for c in conditions:
            for name, (cmd, cwd) in sides.items():
                out, rss = run(cmd, env, cwd, c == "contended")
                ms = median_ms(name, out, warmup)
                res[(name, c)].append((ms, rss))
                print(f"round {r}  {name:8s} {c:9s} median {ms:9.2f} ms/iter   peak RSS {rss:6.0f} MiB", flush=True)
    med = {k: statistics.median(ms for ms, _ in v) for k, v in res.items()}
    for name in sides:
        line = f"{name:8s}: quiet {med[(name, 'quiet')]:.2f} ms/iter"
        if a.contended:
            line += (f", contended {med[(name, 'contended')]:.2f} ms/iter, contended/quiet "
                     f"{med[(name, 'contended')] / med[(name, 'quiet')]:.2f}")
        rss = statistics.median(rss for _, rss in res[(name, "quiet")])
        print(line + f", peak RSS {rss:.0f} MiB")
    for other in (n for n in sides if n != "gptkit"):
        for c in conditions:
            print(f"ratio {c:9s} (gptkit speed / {other} speed = {other} ms / gptkit ms): "
                  f"{med[(other, c)] / med[('gptkit', c)]:.2f}")


if __name__ == "__main__":
    main()

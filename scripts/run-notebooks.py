#!/usr/bin/env python3
"""Execute the gptkit notebooks headless and check their outputs.

    python3 scripts/run-notebooks.py                      # every notebooks/*.ipynb, sorted
    python3 scripts/run-notebooks.py notebooks/02-x.ipynb # just these

Runs each notebook top to bottom with nbclient and the "gptkit-java" (JJava) kernel installed by
scripts/setup-notebooks.sh into .venv-notebooks (this script re-runs itself with that venv's
Python). The working directory of every kernel is the notebook's folder, as under Jupyter:
notebooks/, or notebooks/zh/ for the Chinese edition (whose `../data` and `../target` are the
symlinks notebooks/data and notebooks/target, and where the kit draws its charts in Chinese).
Executed copies go to target/notebooks/<name>.ipynb, target/notebooks/zh/<name>.ipynb for the
Chinese ones (this script never modifies the committed notebooks); the kernel's own log goes
beside them as <name>.kernel.log.

Before running, each notebook is linted (a failure skips running it): every `import` must be in
the first code cell (IJava 1.3 re-declares the earlier cells after an import in a later one and
brings their variables back as null), and metadata.kernelspec.name must be "gptkit-java" (IJava
installs itself as "java": a notebook naming that would open on whichever kernel owns the name),
and no notebook may print the library's code of an exercise's part (Source.show) above the cell
that sets that exercise (EXERCISE_PARTS). `--lint-only` checks just the rules and the committed
outputs, without a kernel.

The lint also reads the committed outputs (a full-length run's, refreshed by
scripts/refresh-notebook-outputs.py): the committed notebook must show the images its metadata
promises ({"gptkit": {"expect_images": N}}) and hold no error output.

A notebook fails when a cell raises (the first error stops it), times out, or the kernel dies;
or when its metadata says {"gptkit": {"expect_images": N}} and the executed copy has fewer
than N image/png outputs. Per-cell timeout: env GPTKIT_CELL_TIMEOUT in seconds (default 900;
0 or less = none). Exit status 1 if any notebook failed, 2 on a setup problem.
"""
import glob
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv-notebooks"
NOTEBOOKS = REPO / "notebooks"
OUT = REPO / "target" / "notebooks"
KERNEL = "gptkit-java"  # scripts/setup-notebooks.sh installs it; IJava and stock JJava call theirs "java"


def reexec_in_venv():
    py = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not py.exists():
        print(f"run-notebooks: {VENV} is missing; run scripts/setup-notebooks.sh first", file=sys.stderr)
        sys.exit(2)
    os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])


reexec_in_venv()

# Only the venv's kernelspec counts, even if ~/.local/share/jupyter/kernels/gptkit-java exists.
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(VENV / "share" / "jupyter")] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# an import statement at the start of a line: `import a.b.C;`, `import a.b.*;`, `import static a.B.c;`
# (JShell also takes one without its semicolon at the end of a cell)
IMPORT = re.compile(r"^\s*import\s+(static\s+)?[A-Za-z_$][\w$]*(\s*\.\s*([A-Za-z_$][\w$]*|\*))*\s*(;|$)")


# Each exercise's part in the library, as Source.show names it: (class, method), None for the whole
# class. A notebook may print one only after the markdown cell that sets that exercise
# ("**Exercise `id`**"), never above it: no answer on the page before the exercise.
EXERCISE_PARTS = {
    "get_batch": [("GetBatch", "getBatch"), ("GetBatch", "offsets")],
    "cross_entropy": [("CrossEntropy", None)],
    "adamw": [("AdamW", "step")],
    "configure_optimizers": [("ConfigureOptimizers", "configureOptimizers")],
    "get_lr": [("GetLr", None)],
    "estimate_loss": [("EstimateLoss", None), ("Trainer", "evalModel")],
    "grad_scaler": [("GradScaler", None)],
    "clip_grad_norm": [("ClipGradNorm", None)],
    "ddp": [("Ddp", "averageGradients"), ("Collective", "averageGradients")],
    "checkpoint": [("Checkpoint", None), ("CheckpointStore", None)],
    "train_loop": [("TrainLoop", None)],
    "sft_mask": [("SftMask", "mask")],
    "lora": [("Lora", None), ("LoraLinear", None)],
}
SHOW = re.compile(r'Source\.show\(\s*([\w.]+)\.class\s*,\s*"(\w+)"')
EXERCISE = re.compile(r"\*\*(?:Exercise|练习) `(\w+)`\*\*")  # the zh edition: 练习


def answers_before_exercise(nb, rel):
    """Source.show of an exercise's own part above the cell that sets the exercise."""
    problems, set_ = [], set()
    for i, c in enumerate(nb.cells):
        if c.cell_type == "markdown":
            set_.update(EXERCISE.findall(c.source))
            continue
        if c.cell_type != "code":
            continue
        for m in SHOW.finditer(c.source):
            cls, method = m.group(1).rsplit(".", 1)[-1], m.group(2)
            for ex, parts in EXERCISE_PARTS.items():
                if ex not in set_ and any(cls == k and mm in (None, method) for k, mm in parts):
                    problems.append(f"{rel}: cell {i} prints the library's {cls}.{method}, the answer to the exercise "
                                    f"`{ex}`, before the notebook sets that exercise; move the Source.show into the "
                                    "section after the exercise (\"The library's version, after you have tried\")")
    return problems


def lint(nb, rel):
    """The rules a notebook must follow to run on IJava 1.3 as well as JJava (see the docstring)."""
    problems = answers_before_exercise(nb, rel)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for i, c in code[1:]:
        for n, line in enumerate(c.source.splitlines(), 1):
            if IMPORT.match(line):
                problems.append(f"{rel}: cell {i} (code cell {code.index((i, c)) + 1}), line {n}: `{line.strip()}` "
                                "is an import after the first code cell; move it to the first code cell "
                                "(IJava 1.3 re-declares the earlier cells after a later import and their variables come back null)")
    name = nb.metadata.get("kernelspec", {}).get("name")
    if name != KERNEL:
        problems.append(f"{rel}: metadata.kernelspec.name is {name!r}, must be {KERNEL!r} "
                        "(IJava and stock JJava install themselves as 'java')")
    return problems


def committed_problems(nb, rel):
    """The committed notebook carries the outputs of a full run (scripts/refresh-notebook-outputs.py,
    which sets GPTKIT_REFRESHING=1 to run notebooks whose outputs it is about to write)."""
    if os.environ.get("GPTKIT_REFRESHING") == "1":
        return []
    problems = []
    expect = int(nb.metadata.get("gptkit", {}).get("expect_images", 0) or 0)
    shown = count_images(nb)
    if shown < expect:
        problems.append(f"{rel}: the committed notebook shows {shown} image(s), its metadata promises {expect} "
                        "(gptkit.expect_images): refresh its outputs with scripts/refresh-notebook-outputs.py")
    for i, o in error_outputs(nb):
        problems.append(f"{rel}: the committed notebook holds an error output in cell {i}: {describe_error(o)}; "
                        "refresh its outputs with scripts/refresh-notebook-outputs.py")
    return problems


def cell_timeout():
    raw = os.environ.get("GPTKIT_CELL_TIMEOUT", "900").strip()
    try:
        value = int(float(raw))
    except ValueError:
        print(f"run-notebooks: bad GPTKIT_CELL_TIMEOUT={raw!r}, using 900", file=sys.stderr)
        return 900
    return value if value > 0 else None


def merge_streams(nb):
    """Joins consecutive stream outputs of the same name (stdout/stderr) into one. The kernel sends
    a printf in pieces; unmerged, the HTML rendering shows every piece on its own line."""
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        merged = []
        for o in c.get("outputs", []):
            if (o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == o.get("name")):
                merged[-1]["text"] += o.get("text", "")
            else:
                merged.append(o)
        c["outputs"] = merged


def count_images(nb):
    return sum(1 for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []) if "image/png" in o.get("data", {}))


def error_outputs(nb):
    return [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def describe_error(out):
    tb = "\n".join(ANSI.sub("", line) for line in out.get("traceback", []))
    head = f"{out.get('ename', '?')}: {out.get('evalue', '')}"
    return head + ("\n" + tb if tb.strip() else "")


def indent(text, n=4, limit=40):
    lines = text.rstrip().splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more lines)"]
    return "\n".join(" " * n + line for line in lines)


def executed_path(path):
    """Where the executed copy of a notebook goes: target/notebooks/ mirrors notebooks/."""
    return OUT / Path(path).resolve().parent.relative_to(NOTEBOOKS) / Path(path).name


def run_one(path, timeout):
    """Returns (ok, seconds, images, problems)."""
    rel = os.path.relpath(path, REPO)
    nb = nbformat.read(path, as_version=4)
    expect = int(nb.metadata.get("gptkit", {}).get("expect_images", 0) or 0)
    problems = lint(nb, rel)
    if problems:
        return False, 0.0, 0, problems
    problems = committed_problems(nb, rel)  # reported, but the notebook still runs
    failed_cell = {}

    def on_error(cell, cell_index, execute_reply=None, **_):
        failed_cell.setdefault("index", cell_index)

    out_path = executed_path(path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    log_path = out_path.with_suffix(".kernel.log")
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,  # the lint checked that the notebook's metadata names it too
        timeout=timeout,
        startup_timeout=180,
        allow_errors=False,
        interrupt_on_timeout=False,
        resources={"metadata": {"path": str(Path(path).resolve().parent)}},  # kernel cwd = the notebook's folder
        on_cell_error=on_error,
    )
    start = time.monotonic()
    with open(log_path, "w") as log:
        try:
            client.execute(stdout=log, stderr=log)
        except Exception as e:  # CellExecutionError, CellTimeoutError, DeadKernelError, ...
            idx = failed_cell.get("index")
            if idx is None:  # timeouts and dead kernels skip on_cell_error: find the last started cell
                started = [i for i, c in enumerate(nb.cells)
                           if c.cell_type == "code" and c.get("metadata", {}).get("execution", {})
                           .get("iopub.execute_input")]
                idx = started[-1] if started else None
            where = f"cell {idx}" if idx is not None else "kernel start-up"
            errs = [o for i, o in error_outputs(nb) if i == idx]
            detail = describe_error(errs[0]) if errs else ANSI.sub("", f"{type(e).__name__}: {e}")
            if isinstance(e, TimeoutError):  # nbclient's CellTimeoutError
                detail = f"timed out after {timeout} s (GPTKIT_CELL_TIMEOUT)\n{detail}"
            msg = f"{rel}: {where} failed: {detail}"
            if idx is not None:
                msg += "\n  cell source:\n" + indent(nb.cells[idx].source, limit=15)
            problems.append(msg + f"\n  (kernel log: {os.path.relpath(log_path, REPO)})")
    seconds = time.monotonic() - start
    merge_streams(nb)
    nb.metadata.setdefault("gptkit", {})["outputs"] = "FAST" if os.environ.get("GPTKIT_FAST") == "1" else "full length"
    nbformat.write(nb, out_path)

    images = count_images(nb)
    if not any(" failed: " in p for p in problems):
        for i, o in error_outputs(nb):
            problems.append(f"{rel}: cell {i} has an error output: {describe_error(o)}")
        if images < expect:
            problems.append(f"{rel}: expected at least {expect} image/png outputs (metadata gptkit.expect_images), got {images}")
    return not problems, seconds, images, problems


def lint_only(paths):
    bad = 0
    for path in paths:
        rel = os.path.relpath(path, REPO)
        nb = nbformat.read(path, as_version=4)
        problems = lint(nb, rel) + committed_problems(nb, rel)
        for p in problems:
            print(p)
        bad += bool(problems)
    print(f"notebooks: {len(paths) - bad} passed the lint, {bad} failed")
    return 1 if bad else 0


def main(argv):
    if argv[:1] == ["--lint-only"]:
        return lint_only([str(Path(a).resolve()) for a in argv[1:]] or sorted(glob.glob(str(NOTEBOOKS / "*.ipynb"))))
    timeout = cell_timeout()
    if argv:
        paths = [str(Path(a).resolve()) for a in argv]
    else:
        paths = sorted(glob.glob(str(NOTEBOOKS / "*.ipynb")))
    if not paths:
        print(f"run-notebooks: no notebooks found in {NOTEBOOKS}")
    if not (REPO / "target" / "classes").is_dir() or not glob.glob(str(REPO / "target" / "lib" / "*.jar")):
        print("run-notebooks: warning: target/classes or target/lib/*.jar missing; "
              "build with Maven first or imports of gptkit classes will fail", file=sys.stderr)

    passed = failed = 0
    total = 0.0
    slowest = (0.0, "")
    for path in paths:
        name = os.path.relpath(path, REPO)
        if not os.path.isfile(path):
            print(f"FAIL  {name}: no such file", flush=True)
            failed += 1
            continue
        print(f"RUN   {name} ...", flush=True)
        try:
            ok, seconds, images, problems = run_one(path, timeout)
        except Exception as e:  # unreadable notebook, kernel spec missing, ...
            ok, seconds, images, problems = False, 0.0, 0, [f"{name}: {type(e).__name__}: {e}"]
        for p in problems:
            print(p, flush=True)
        print(f"{'PASS' if ok else 'FAIL'}  {name}  {seconds:.1f} s  {images} images", flush=True)
        passed += ok
        failed += not ok
        total += seconds
        slowest = max(slowest, (seconds, name))
    print(f"notebooks: {passed} passed, {failed} failed")
    # the time budget (a benchmark, not a check: these machines are noisy): all of them in FAST mode in
    # 5 minutes on a quiet 2-core machine (10 beside one busy process); each at full length in 3
    fast = os.environ.get("GPTKIT_FAST") == "1"
    budget = 300 if fast else 180 * len(paths)
    print(f"time: {total:.0f} s for {len(paths)} notebook(s) ({'FAST' if fast else 'full length'}), budget "
          f"{budget} s on a quiet 2-core machine: {'within' if total <= budget else 'OVER'}; slowest "
          f"{slowest[1]} {slowest[0]:.0f} s" + ("" if fast else f" (budget 180 s each)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

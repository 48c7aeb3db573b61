#!/usr/bin/env python3
"""Refreshes the outputs committed with the notebooks: runs them at full length (not GPTKIT_FAST)
with scripts/run-notebooks.py, and when every one passed, copies each executed copy from
target/notebooks/ back over notebooks/, so a reader of the repository sees the charts and numbers
of a real CPU run. The copies are made reviewable first: no execution timestamps, no absolute
paths of this machine.

    .venv-notebooks/bin/python scripts/refresh-notebook-outputs.py [notebooks/NN_name.ipynb ...]

CI still executes every notebook (FAST) into target/; run-notebooks.py's lint also fails a
committed notebook without the images its metadata promises (gptkit.expect_images) or with an error
output, so outputs cannot silently go missing.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
OUT = REPO / "target" / "notebooks"


def clean(nb):
    """No timestamps (cell metadata 'execution'), and this machine's paths written relative."""
    here = str(REPO)
    nb.metadata.setdefault("gptkit", {})["outputs"] = "full length"
    for c in nb.cells:
        c.get("metadata", {}).pop("execution", None)
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream":
                o["text"] = o["text"].replace(here + "/", "").replace(here, ".")
            for kind, value in o.get("data", {}).items():
                if kind.startswith("text/") and isinstance(value, str):
                    o["data"][kind] = value.replace(here + "/", "").replace(here, ".")
    return nb


def main(argv):
    # --from-executed: take target/notebooks/ as a full-length run just left it, without running again
    again = "--from-executed" not in argv
    paths = [str(Path(a).resolve()) for a in argv if a != "--from-executed"] \
        or sorted(str(p) for p in NOTEBOOKS.glob("*.ipynb"))
    if again:
        env = dict(os.environ)
        env.pop("GPTKIT_FAST", None)  # the outputs of the notebooks as a reader runs them
        env["GPTKIT_REFRESHING"] = "1"  # run-notebooks.py: do not ask for the outputs about to be written
        run = subprocess.run([sys.executable, str(REPO / "scripts" / "run-notebooks.py"), *paths], env=env)
        if run.returncode != 0:
            print("refresh-notebook-outputs: a notebook failed; notebooks/ left as it was", file=sys.stderr)
            return run.returncode
    for p in paths:
        executed = OUT / Path(p).resolve().parent.relative_to(NOTEBOOKS) / Path(p).name  # as run-notebooks.py
        ran = clean(nbformat.read(executed, as_version=4))
        if ran.metadata.get("gptkit", {}).get("outputs") == "FAST":
            print(f"refresh-notebook-outputs: {executed} is a FAST run's; run without --from-executed", file=sys.stderr)
            return 1
        # the outputs go into the committed notebook cell by cell: its text cells stay as they are now,
        # and a code cell edited since the run stops the refresh
        nb = nbformat.read(p, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        ran_code = [c for c in ran.cells if c.cell_type == "code"]
        if [c.source for c in code] != [c.source for c in ran_code]:
            print(f"refresh-notebook-outputs: the code of {os.path.relpath(p, REPO)} changed since {executed} "
                  "was run; run it again (without --from-executed)", file=sys.stderr)
            return 1
        for mine, theirs in zip(code, ran_code):
            mine.outputs = theirs.outputs
            mine.execution_count = theirs.execution_count
            mine.get("metadata", {}).pop("execution", None)
        nb.metadata.setdefault("gptkit", {})["outputs"] = "full length"
        nbformat.write(nb, p)
        print(f"refresh-notebook-outputs: {os.path.relpath(p, REPO)} now holds the outputs of this run")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

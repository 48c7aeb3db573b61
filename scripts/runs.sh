#!/usr/bin/env bash
# ./gptkit runs: TensorBoard on the runs trained with --tracking=tensorboard (README "Tracking runs").
#
#   scripts/runs.sh                      every run under the kit's folder (out-*/, target/..., notebooks' runs)
#   scripts/runs.sh target/sweep out-x   the runs under these folders (an out_dir, or a folder of out_dirs)
#   scripts/runs.sh --port=6007 ...      --port, --host and other --flags go to TensorBoard
#   scripts/runs.sh --setup              only the venv (CI; scripts/test_tracking.py runs in it)
#
# The first time it makes the venv .venv-tracking/ with the pinned TensorBoard (a minute of downloads
# from PyPI); after that it works offline. A run is a folder holding events.out.tfevents.* files (its
# out_dir). TensorBoard gets one folder, target/runs/, of links named by the runs' paths, so the runs
# of the whole kit are compared side by side and it walks nothing else (no venv, no .git).
# Environment: PYTHON (default python3, >= 3.9).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-tracking"
PIN="tensorboard==2.21.0" # tested with Python 3.11; its data server reads the files in Rust (--load_fast)

setup=0
dirs=()
flags=()
for arg in "$@"; do
  case "$arg" in
    --setup) setup=1 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    --*) flags+=("$arg") ;;
    *) dirs+=("$arg") ;;
  esac
done

if [[ ! -x "$VENV/bin/python" ]]; then
  "${PYTHON:-python3}" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
    || { echo "error: runs: ${PYTHON:-python3} is older than 3.9; set PYTHON to a newer one" >&2; exit 2; }
  echo "runs: creating $VENV (once)" >&2
  "${PYTHON:-python3}" -m venv "$VENV" \
    || { echo "error: runs: 'python3 -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 2; }
fi
if [[ "$(cat "$VENV/.gptkit-installed" 2>/dev/null)" != "$PIN" ]]; then
  echo "runs: installing $PIN into $VENV (once, from PyPI)" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PIN"
  echo "$PIN" > "$VENV/.gptkit-installed"
fi
if [[ $setup -eq 1 ]]; then
  exit 0
fi

# the runs: folders with event files, below the given folders (default: the kit), venvs and git left out
if [[ ${#dirs[@]} -eq 0 ]]; then
  cd "$ROOT"
  dirs=(.)
fi
for d in "${dirs[@]}"; do
  [[ -d "$d" ]] || { echo "error: runs: $d is not a folder: give out_dirs or folders holding them" >&2; exit 2; }
done
runs=()
while IFS= read -r r; do runs+=("$r"); done < <(find "${dirs[@]}" \( -path '*/.*' -o -name node_modules \
  -o -path '*/target/runs' \) -prune -o -type f -name 'events.out.tfevents.*' -print 2>/dev/null \
  | sed 's|/[^/]*$||' | sort -u)
if [[ ${#runs[@]} -eq 0 ]]; then
  echo "error: runs: no TensorBoard runs under ${dirs[*]}: train with --tracking=tensorboard (or GPTKIT_TRACKING=tensorboard) first" >&2
  exit 2
fi
view="$ROOT/target/runs"
rm -rf "$view"
for r in "${runs[@]}"; do
  name="${r#./}"
  name="${name#/}"
  [[ "$name" == "." ]] && name="$(basename "$(cd "$r" && pwd)")"
  mkdir -p "$(dirname "$view/$name")"
  ln -s "$(cd "$r" && pwd)" "$view/$name"
done
echo "runs: ${#runs[@]} run(s): ${runs[*]#./}" >&2
exec "$VENV/bin/tensorboard" --logdir "$view" "${flags[@]}"

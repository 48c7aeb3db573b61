#!/usr/bin/env bash
# Renders the executed copies (target/notebooks/) of notebooks/*.ipynb to HTML in target/notebooks-html/.
# Notebooks in notebooks/ whose executed copy is missing are executed first with
# scripts/run-notebooks.py. Images are embedded in the HTML (no side files).
# Exit status: non-zero if executing or rendering failed (what could be rendered still is).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO/.venv-notebooks"
EXECUTED="$REPO/target/notebooks"
HTML="$REPO/target/notebooks-html"

if [[ ! -x "$VENV/bin/jupyter-nbconvert" ]]; then
  echo "render-notebooks: $VENV is missing; run scripts/setup-notebooks.sh first" >&2
  exit 2
fi

missing=()
sources=()
shopt -s nullglob
for nb in "$REPO"/notebooks/*.ipynb; do
  sources+=("$(basename "$nb")")
  [[ -f "$EXECUTED/$(basename "$nb")" ]] || missing+=("$nb")
done

status=0
if (( ${#missing[@]} )); then
  echo "render-notebooks: executing ${#missing[@]} notebook(s) without an executed copy"
  "$VENV/bin/python" "$SCRIPT_DIR/run-notebooks.py" "${missing[@]}" || status=$?
fi

# Only copies of notebooks that still exist in notebooks/ (stale ones are left alone).
executed=()
for name in ${sources[@]+"${sources[@]}"}; do
  [[ -f "$EXECUTED/$name" ]] && executed+=("$EXECUTED/$name")
done
if (( ! ${#executed[@]} )); then
  echo "render-notebooks: nothing to render in $EXECUTED" >&2
  exit $(( status ? status : 1 ))
fi
mkdir -p "$HTML"
# formulas offline: a MathJax copy beside the pages instead of nbconvert's CDN link
mathjax="$("$VENV/bin/python" -c 'import jupyter_server_mathjax, os; print(os.path.join(os.path.dirname(jupyter_server_mathjax.__file__), "static"))' 2>/dev/null || true)"
mathjax_url=()
if [[ -n "$mathjax" && -f "$mathjax/MathJax.js" ]]; then
  rm -rf "$HTML/mathjax" && cp -R "$mathjax" "$HTML/mathjax"
  mathjax_url=(--HTMLExporter.mathjax_url="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe")
else
  echo "render-notebooks: no local MathJax (re-run scripts/setup-notebooks.sh): formulas need the internet" >&2
fi
"$VENV/bin/jupyter" nbconvert --to html --output-dir "$HTML" --log-level WARN ${mathjax_url[@]+"${mathjax_url[@]}"} \
  "${executed[@]}" || status=$?
echo "render-notebooks: ${#executed[@]} notebook(s) rendered to $HTML"
exit "$status"

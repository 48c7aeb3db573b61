#!/usr/bin/env bash
# CI's check of --tracking=tensorboard (README "Tracking runs"), about a minute:
#   1. three tiny runs, a learning-rate sweep, and a run resumed before its last iterations;
#   2. their event files read back by TensorBoard's own readers against log.csv (scripts/test_tracking.py);
#   3. ./gptkit compare draws the sweep without TensorBoard (target/tracking-ci/compare.png);
#   4. ./gptkit runs serves the sweep, and headless Chromium opens TensorBoard's UI on it: the page must
#      list the three runs and draw the loss/val chart; the screenshot goes to target/tracking.png.
# Needs chromium (Debian: apt-get install chromium; .ci/run installs it) and PyPI once for the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
export GPTKIT_DATA="${GPTKIT_DATA:-$(cd .. && pwd)/shared/data}"
OUT=target/tracking-ci
BROWSER="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$BROWSER" ]] || { echo "error: check-tracking-ui: no chromium on PATH (Debian: apt-get install chromium)" >&2; exit 2; }
rm -rf "$OUT" target/tracking.png
mkdir -p "$OUT"

echo "== three tracked runs (learning rates 1e-3, 3e-3, 1e-2) and one resumed run"
T=(--eval_interval=10 --n_layer=1 --n_embd=32 --n_head=2 --block_size=32 --batch_size=4 --eval_iters=2
  --data_dir=target/ci-data --progress=false --sample=60 --tracking=tensorboard)
for lr in 1e-3 3e-3 1e-2; do
  ./gptkit train shakespeare_char_cpu "${T[@]}" --max_iters=30 --learning_rate=$lr --out_dir=$OUT/sweep/lr$lr \
    | grep -E "^tracking: |^done: "
done
# the checkpoint of iteration 30 is the last one (eval every 10): the resumed run replays 30-35
./gptkit train shakespeare_char_cpu "${T[@]}" --max_iters=35 --out_dir=$OUT/resume >/dev/null
./gptkit train shakespeare_char_cpu "${T[@]}" --max_iters=50 --out_dir=$OUT/resume --init_from=resume \
  | grep -E "^Resuming|^tracking: "

echo "== the event files through TensorBoard's readers"
scripts/runs.sh --setup
.venv-tracking/bin/python scripts/test_tracking.py $OUT/sweep/lr1e-3 $OUT/sweep/lr3e-3 $OUT/sweep/lr1e-2 $OUT/resume

echo "== the offline comparison: ./gptkit compare"
./gptkit compare $OUT/sweep/lr1e-3 $OUT/sweep/lr3e-3 $OUT/sweep/lr1e-2 --out=$OUT/compare.png
test -s $OUT/compare.png

echo "== TensorBoard's UI in headless Chromium"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
scripts/runs.sh $OUT/sweep --port="$port" >"$OUT/tensorboard.log" 2>&1 &
tb=$! # runs.sh execs TensorBoard: this is its process
trap 'kill "$tb" 2>/dev/null || true; wait "$tb" 2>/dev/null || true' EXIT
# TensorBoard lists a run (/data/runs) as soon as it finds its folder and reads its events after that, in a
# background thread: a page opened in between draws no chart. Wait until every run's loss/val is loaded.
loaded() {
  curl -sf "http://localhost:$port/data/plugin/scalars/tags" | python3 -c '
import json, sys
tags = json.load(sys.stdin)
sys.exit(0 if all("loss/val" in tags.get(f"'"$OUT"'/sweep/lr{lr}", {}) for lr in ("1e-3", "3e-3", "1e-2")) else 1)' 2>/dev/null # not up yet: no JSON
}
for _ in $(seq 60); do
  loaded && break
  kill -0 "$tb" 2>/dev/null || { cat "$OUT/tensorboard.log"; echo "error: TensorBoard exited" >&2; exit 1; }
  sleep 1
done
loaded || { echo "error: TensorBoard had not loaded the runs' loss/val after 60 s ($OUT/tensorboard.log)" >&2; exit 1; }
# the time series dashboard, filtered to the val loss: one chart with the three runs' curves of 4 evaluations
# (steps 0, 10, 20, 30). tracking_ui.py waits in real time until the page draws them, as a person would.
url="http://localhost:$port/?forceSVG=true&tagFilter=loss%2Fval#timeseries" # SVG: no GPU here
timeout 120 python3 scripts/tracking_ui.py "$url" --browser="$BROWSER" --runs=lr1e-3,lr3e-3,lr1e-2 --tag=loss/val \
  --points=4 --html="$OUT/ui.html" --png=target/tracking.png
echo "== tracking checked: the runs and loss/val in TensorBoard's page; screenshot target/tracking.png"

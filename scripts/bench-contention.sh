#!/usr/bin/env bash
# How ./gptkit bench holds up when another program wants the CPU too.
#
#   scripts/bench-contention.sh [--rounds=3] [bench arguments...]
#   scripts/bench-contention.sh --rounds=3 shakespeare_char_cpu --iters=30
#
# Runs `./gptkit bench` alternately on a quiet machine and with one competing CPU-bound process
# (`yes > /dev/null`, started before the run and killed right after it), --rounds times each, and
# prints every run's median ms/iter, then the median of the quiet runs, of the contended runs and
# their ratio. Whatever OpenMP/thread variables are in the environment (OMP_WAIT_POLICY,
# GOMP_SPINCOUNT, OMP_NUM_THREADS) are used as given, so settings can be compared:
#   GOMP_SPINCOUNT=10000 scripts/bench-contention.sh
#   GPTKIT_ADAPT_THREADS=0 scripts/bench-contention.sh    # without ThreadGovernor (README, "Speed")
# Machines shared with others: wrap it in your lock, e.g. flock /tmp/gptkit-heavy.lock scripts/...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3
if [[ "${1:-}" == --rounds=* ]]; then rounds="${1#--rounds=}"; shift; fi
args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(shakespeare_char_cpu --iters=30); fi

hog=""
stop_hog() { if [ -n "$hog" ]; then kill "$hog" 2>/dev/null || true; wait "$hog" 2>/dev/null || true; hog=""; fi; }
trap stop_hog EXIT INT TERM

# one_run: prints the run's median ms/iter (the bench's "ms/iter: mean X, median Y, min Z" line)
one_run() {
  "$root/gptkit" bench "${args[@]}" 2>/dev/null | sed -n 's/^ms\/iter: mean [0-9.]*, median \([0-9.]*\),.*/\1/p'
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

echo "bench ${args[*]}; OMP_WAIT_POLICY=${OMP_WAIT_POLICY-<unset>} GOMP_SPINCOUNT=${GOMP_SPINCOUNT-<unset>}" \
     "OMP_NUM_THREADS=${OMP_NUM_THREADS-<unset>} (the launcher may set defaults for unset ones); $(nproc) cores"
quiet=(); busy=()
for ((r = 1; r <= rounds; r++)); do
  q="$(one_run)"; quiet+=("$q")
  yes > /dev/null & hog=$!
  b="$(one_run)"; busy+=("$b")
  stop_hog
  echo "round $r: quiet $q ms/iter, with yes running $b ms/iter"
done
qm="$(printf '%s\n' "${quiet[@]}" | median)"
bm="$(printf '%s\n' "${busy[@]}" | median)"
echo "median of $rounds: quiet $qm ms/iter, contended $bm ms/iter, contended/quiet $(awk -v a="$bm" -v b="$qm" 'BEGIN {printf "%.2f", a/b}')"

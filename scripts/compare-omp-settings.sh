#!/usr/bin/env bash
# Compares OpenMP settings for ./gptkit bench, quiet and with one competing CPU-bound process.
#
#   scripts/compare-omp-settings.sh [--rounds=3] SETTING... [-- bench arguments]
#   scripts/compare-omp-settings.sh --rounds=3 default GOMP_SPINCOUNT=1000 OMP_WAIT_POLICY=PASSIVE \
#       "OMP_NUM_THREADS=1 GOMP_SPINCOUNT=0" -- shakespeare_char_cpu --iters=30
#
# A SETTING is "default" (OMP_WAIT_POLICY, GOMP_SPINCOUNT and OMP_NUM_THREADS unset: what ./gptkit
# does by itself) or a space-separated list of VAR=value (the others of the three stay unset;
# libgomp's own default is GOMP_SPINCOUNT=300000). Each round runs every setting once quiet and once contended
# (scripts/bench-contention.sh --rounds=1), settings interleaved so that drift in the machine's load
# hits all of them alike; at the end the medians per setting. Lines go to stdout as they come.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3
if [[ "${1:-}" == --rounds=* ]]; then rounds="${1#--rounds=}"; shift; fi
settings=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do settings+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
args=("$@")
if [ ${#args[@]} -eq 0 ]; then args=(shakespeare_char_cpu --iters=30); fi
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) {print a[(NR+1)/2]} else {printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}}'; }

declare -A quiet busy
for ((r = 1; r <= rounds; r++)); do
  for s in "${settings[@]}"; do
    envs=(-u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u OMP_NUM_THREADS)
    if [ "$s" != default ]; then read -r -a more <<< "$s"; envs+=("${more[@]}"); fi
    line="$(env "${envs[@]}" "$root/scripts/bench-contention.sh" --rounds=1 "${args[@]}" | grep '^round 1:')"
    q="$(sed -n 's/.*quiet \([0-9.]*\) ms.*/\1/p' <<< "$line")"
    b="$(sed -n 's/.*running \([0-9.]*\) ms.*/\1/p' <<< "$line")"
    quiet[$s]+="$q "; busy[$s]+="$b "
    printf 'round %d  %-40s quiet %8s  contended %8s ms/iter\n' "$r" "$s" "$q" "$b"
  done
done
echo "medians of $rounds rounds (bench ${args[*]}):"
for s in "${settings[@]}"; do
  qm="$(tr ' ' '\n' <<< "${quiet[$s]}" | grep . | median)"
  bm="$(tr ' ' '\n' <<< "${busy[$s]}" | grep . | median)"
  printf '  %-40s quiet %8s  contended %8s ms/iter  contended/quiet %s\n' "$s" "$qm" "$bm" \
    "$(awk -v a="$bm" -v b="$qm" 'BEGIN {printf "%.2f", a/b}')"
done

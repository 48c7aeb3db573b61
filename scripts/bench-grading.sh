#!/usr/bin/env bash
# How long a student waits for a grade, as a benchmark (not a test): the seconds of
#   ./mvnw -o test -Dexercise=get_lr      after an edit of exercises/GetLr.java
#   ./mvnw -o test -Dgrade=exercises      after the same edit
# in each checkout given (for example this one and an older commit's worktree), in alternating
# rounds, with the median of each. The edit is a comment appended and then removed again, so
# the file is left as it was.
#   scripts/bench-grading.sh [rounds] DIR [DIR ...]
set -euo pipefail
rounds="${1:-3}"; shift
[ "$#" -ge 1 ] || { echo "usage: scripts/bench-grading.sh [rounds] DIR [DIR ...]" >&2; exit 2; }
declare -A times
for dir in "$@"; do # a first, untimed build of each: the libraries and the library's classes
  (cd "$dir" && ./mvnw -o -q -Dmaven.test.failure.ignore=true test -Dexercise=get_lr >/dev/null 2>&1) || true
done
for r in $(seq 1 "$rounds"); do
  for what in "-Dexercise=get_lr" "-Dgrade=exercises"; do
    for dir in "$@"; do
      f="$dir/exercises/GetLr.java"
      cp "$f" "$f.bench-copy"
      echo "// edited $(date +%s%N)" >> "$f"
      start=$(date +%s.%N)
      (cd "$dir" && ./mvnw -o -q -Dmaven.test.failure.ignore=true test "$what" >/dev/null 2>&1) || true
      end=$(date +%s.%N)
      mv "$f.bench-copy" "$f"
      t=$(echo "$end - $start" | bc)
      times["$dir $what"]+="$t "
      printf 'round %d  %-20s %-40s %6.1f s\n' "$r" "$what" "$dir" "$t"
    done
  done
done
echo
for key in "${!times[@]}"; do
  med=$(echo "${times[$key]}" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf 'median %6.1f s  %s\n' "$med" "$key"
done | sort -k4

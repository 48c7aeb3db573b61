#!/usr/bin/env bash
# Runs the whole test suite N times (default 5) and prints every failing test of every run, then
# a summary line. A test that fails in some runs and passes in others is a defect to fix at its
# cause, never to retry (README, "Reliability"). Each run's reports are kept in target/flake-hunt/run-K.
#   scripts/flake-hunt.sh 5            # extra arguments go to Maven, e.g. -Dtest='gptkit.reliability.*Test'
set -uo pipefail
cd "$(dirname "$0")/.."
n="${1:-5}"
shift || true
case "$n" in ''|*[!0-9]*) echo "flake-hunt.sh: N must be a whole number of runs, got '$n'" >&2; exit 2 ;; esac
export GPTKIT_DATA="${GPTKIT_DATA:-$(cd .. && pwd)/shared/data}"
rm -rf target/flake-hunt && mkdir -p target/flake-hunt
green=0
for k in $(seq 1 "$n"); do
  start=$SECONDS
  ./mvnw -B -q test -Dstyle.color=never "$@" > "target/flake-hunt/run-$k.log" 2>&1
  rc=$?
  mkdir -p "target/flake-hunt/run-$k" && cp -r target/surefire-reports/. "target/flake-hunt/run-$k/" 2>/dev/null
  failures="$(python3 - "target/flake-hunt/run-$k" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
tests = skipped = 0
for f in sorted(glob.glob(sys.argv[1] + "/TEST-*.xml")):
    for case in ET.parse(f).getroot().iter("testcase"):
        tests += 1
        skipped += len(case.findall("skipped")) > 0
        for bad in list(case.findall("failure")) + list(case.findall("error")):
            msg = (bad.get("message") or "").strip().splitlines()
            print(f"  {case.get('classname')}.{case.get('name')}: {msg[0][:200] if msg else bad.tag}")
open(sys.argv[1] + ".totals", "w").write(f"{tests} tests, {skipped} skipped")
PY
)"
  totals="$(cat "target/flake-hunt/run-$k.totals")"
  if [ "$rc" = 0 ] && [ -z "$failures" ]; then
    green=$((green + 1))
    echo "run $k/$n: green in $((SECONDS - start)) s ${totals:+($totals)}"
  else
    echo "run $k/$n: FAILED (exit $rc) in $((SECONDS - start)) s; log: target/flake-hunt/run-$k.log"
    [ -n "$failures" ] && echo "$failures"
  fi
done
echo "flake-hunt: $green of $n runs green"
[ "$green" = "$n" ]

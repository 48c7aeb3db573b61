#!/usr/bin/env bash
# ./gptkit grade DIR... : the instructor's gradebook (README "Exercises"). Each DIR is a student's
# exercises/ folder or a zip of it; each is graded in a JVM of its own (gptkit.grading.Gradebook),
# into grades/grades.csv and grades/STUDENT.txt. Options: --out=DIR --time=SECONDS --memory=2g --seed=N
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/target/grading-classpath.txt"
# the grader is test code (JUnit's checks): build it, and list the test class path once
if [ ! -f "$cp_file" ] || [ ! -d "$root/target/test-classes/gptkit/grading" ] \
  || [ -n "$(find "$root/src" "$root/pom.xml" -newer "$cp_file" -print -quit)" ]; then
  echo "building the grader..." >&2
  (cd "$root" && ./mvnw -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cp_file") >&2
  touch "$cp_file"
fi
. "$root/scripts/java-flags.sh"
exec java -Xmx512m $(java_access_flags "$(java_spec java)") \
  -cp "$root/target/test-classes:$root/target/classes:$(cat "$cp_file")" gptkit.grading.Gradebook "$@"

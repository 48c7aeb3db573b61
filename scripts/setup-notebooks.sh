#!/usr/bin/env bash
# Sets up everything needed to run the gptkit notebooks (idempotent; safe to re-run).
#
#   scripts/setup-notebooks.sh          # headless execution + HTML rendering only (CI)
#   scripts/setup-notebooks.sh --lab    # ... plus JupyterLab, to open the notebooks in a browser
#
# It creates the virtual environment .venv-notebooks/ in the repository root, installs the
# pinned packages below, and installs the JJava kernel as kernelspec "gptkit-java" (display name
# "Java (gptkit)"; not "java", the name IJava and stock JJava take) into that venv (sys-prefix), configured for JDK 17, headless AWT, DJL offline and 4 GB of heap, with
# libtorch's OpenMP threads spinning as ./gptkit's do (GOMP_SPINCOUNT; README "Speed").
#
# The kernel's classpath comes from kernel.json's "env" (JJAVA_CLASSPATH), so notebooks need
# no magic. It is  <repo>/target/classes  and every  <repo>/target/lib/*.jar,
# resolved when the kernel starts (so re-running Maven only needs a kernel restart).
# Users of a stock IJava 1.3 or JJava without this kernelspec: see notebooks/README.md
# ("Another Java kernel"): %classpath / %jars lines, or IJAVA_CLASSPATH / JJAVA_CLASSPATH.
#
# Environment: PYTHON (default python3, >= 3.9), JAVA_HOME (else `java` on PATH, must be >= 17).
set -euo pipefail

LAB=0
for arg in "$@"; do
  case "$arg" in
    --lab) LAB=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "setup-notebooks: unknown argument: $arg (only --lab is accepted)" >&2; exit 2 ;;
  esac
done

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="$REPO/.venv-notebooks"
PYTHON="${PYTHON:-python3}"

# Pinned versions, tested together with OpenJDK 17.0.15 and Python 3.11.
# jjava has only pre-releases on PyPI, so it must be pinned exactly.
PKGS=(
  "jjava==1.0a8"           # the Java kernel (ships jjava.jar + a kernelspec)
  "jupyter_client==8.10.0" # kernel launching/messaging
  "jupyter_core==5.9.1"
  "nbformat==5.11.1"       # reading/writing .ipynb
  "nbclient==0.11.0"       # headless execution (run-notebooks.py)
  "nbconvert==7.17.2"      # HTML rendering (render-notebooks.sh)
)
LAB_PKGS=("jupyterlab==4.6.6")
# MathJax 2.7 for HTML that shows formulas offline (render-notebooks.sh copies it beside the pages);
# installed without its dependencies: only its static files are used, not the server extension
MATHJAX_PKG="jupyter-server-mathjax==0.2.6"

# JVM flags for the kernel. --add-opens is required by JJava on JDK 17 (its stock
# launcher adds it too); headless so BufferedImage/XChart work without a display.
JVM_FLAGS=(
  --add-opens jdk.jshell/jdk.jshell=ALL-UNNAMED
  -Djava.awt.headless=true
  -Dai.djl.offline=true
  -Xmx4g
  -Dfile.encoding=UTF-8
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
)

# --- Java ------------------------------------------------------------------------------
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
elif JAVA="$(command -v java)"; then
  :
else
  echo "setup-notebooks: no java found (set JAVA_HOME or put JDK 17+ on PATH)" >&2; exit 1
fi
. "$SCRIPT_DIR/java-flags.sh"
JAVA_SPEC="$(java_spec "$JAVA")"
if [[ -z "$JAVA_SPEC" || "${JAVA_SPEC%%.*}" -lt 17 ]]; then
  echo "setup-notebooks: $JAVA is Java '${JAVA_SPEC:-?}', need 17 or newer" >&2; exit 1
fi
JVM_FLAGS+=($(java_access_flags "$JAVA_SPEC") $(java_speed_flags)) # C1 and the serial GC: scripts/java-flags.sh
if ! "$JAVA" --list-modules 2>/dev/null | grep -q '^jdk.jshell@'; then
  echo "setup-notebooks: $JAVA has no jdk.jshell module (a JRE?); install a full JDK 17" >&2; exit 1
fi

# --- venv + packages -------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
    || { echo "setup-notebooks: $PYTHON is older than 3.9" >&2; exit 1; }
  echo "setup-notebooks: creating $VENV"
  "$PYTHON" -m venv "$VENV" \
    || { echo "setup-notebooks: 'python3 -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }
fi
VPY="$VENV/bin/python"

WANT=("${PKGS[@]}" "$MATHJAX_PKG")
if [[ $LAB -eq 1 ]]; then WANT+=("${LAB_PKGS[@]}"); fi
STAMP="$VENV/.gptkit-installed"
# Skip pip entirely when the same pins were installed before (works offline).
if [[ -f "$STAMP" ]] && [[ -z "$(comm -13 <(sort "$STAMP") <(printf '%s\n' "${WANT[@]}" | sort))" ]] \
   && [[ -f "$VENV/share/jupyter/kernels/java/jjava.jar" ]]; then
  echo "setup-notebooks: packages already installed"
else
  "$VPY" -m pip install --quiet --disable-pip-version-check "${WANT[@]}"
  "$VPY" -m pip install --quiet --disable-pip-version-check --no-deps "$MATHJAX_PKG"
  # jjava.jar can vanish if a previous kernelspec install was interrupted: restore it.
  if [[ ! -f "$VENV/share/jupyter/kernels/java/jjava.jar" ]]; then
    "$VPY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "${PKGS[0]}"
  fi
  { [[ -f "$STAMP" ]] && cat "$STAMP"; printf '%s\n' "${WANT[@]}"; } | sort -u > "$STAMP.new"
  mv "$STAMP.new" "$STAMP"
fi

# --- kernelspec ------------------------------------------------------------------------
# pip's jjava drops a stock kernelspec (java -jar jjava-launcher.jar jjava.jar ...) into
# $VENV/share/jupyter/kernels/java. We install our own beside it, "gptkit-java", that runs
# jjava.jar directly (one JVM instead of two, flags visible in kernel.json) and carries the
# classpath. Its own name, because IJava installs itself as "java" too: a notebook asking for
# "java" could open on IJava without the kit's classpath and flags, and nobody would notice.
KERNEL_NAME=gptkit-java
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir "$STAGE/$KERNEL_NAME"
cp "$VENV/share/jupyter/kernels/java/jjava.jar" "$STAGE/$KERNEL_NAME/jjava.jar"
# The kernel gets ./gptkit's OpenMP default (scripts/java-flags.sh): GOMP_SPINCOUNT, unless the
# environment Jupyter starts it from sets GOMP_SPINCOUNT or OMP_WAIT_POLICY. kernel.json's "env"
# would override the user's value, so a /bin/sh line in front of java decides at each kernel start.
"$VPY" - "$STAGE/$KERNEL_NAME/kernel.json" "$JAVA" "$REPO" "$GPTKIT_GOMP_SPINCOUNT" "${JVM_FLAGS[@]}" <<'EOF'
import json, os, sys
out, java, repo, spin, flags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
# "target*" (not "target") on purpose: JJava kills the kernel at start-up when the folder in
# front of a glob does not exist (e.g. after `mvn clean`); with the glob starting at the repo
# root an absent target/ just yields no jars. A missing plain folder is silently skipped.
classpath = f"{repo}/target/classes:{repo}/target*/lib/*.jar"
argv = [java, *flags, "-jar", "{resource_dir}/jjava.jar", "{connection_file}"]
env = {"JJAVA_CLASSPATH": classpath}
if os.name != "nt":  # libgomp (Linux libtorch) reads it; Windows' libtorch has another OpenMP
    env["GPTKIT_GOMP_SPINCOUNT"] = spin
    argv = ["/bin/sh", "-c",
            'if [ -z "${GOMP_SPINCOUNT+x}${OMP_WAIT_POLICY+x}" ]; then GOMP_SPINCOUNT="$GPTKIT_GOMP_SPINCOUNT"; '
            'export GOMP_SPINCOUNT; fi; exec "$@"', "gptkit-kernel", *argv]
spec = {
    "argv": argv,
    "display_name": "Java (gptkit)",
    "language": "java",
    "interrupt_mode": "message",
    "env": env,
    "metadata": {},
}
with open(out, "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
EOF
"$VENV/bin/jupyter" kernelspec install --sys-prefix --replace --name "$KERNEL_NAME" "$STAGE/$KERNEL_NAME" >/dev/null 2>&1 \
  || { echo "setup-notebooks: 'jupyter kernelspec install' failed" >&2; "$VENV/bin/jupyter" kernelspec install --sys-prefix --replace --name "$KERNEL_NAME" "$STAGE/$KERNEL_NAME"; exit 1; }

# kernels/java stays: pip owns it and keeps jjava.jar there (the check above restores it from
# there). Setups before the rename wrote our kernel.json over pip's, as "Java 17 (gptkit)": drop
# that one, so Jupyter does not offer two gptkit kernels (the notebooks ask for gptkit-java).
OLD="$VENV/share/jupyter/kernels/java/kernel.json"
if [[ -f "$OLD" ]] && grep -q '"Java 17 (gptkit)"' "$OLD"; then
  rm -f "$OLD"
  echo "setup-notebooks: removed the old kernelspec 'java' an earlier setup wrote (the notebooks now use '$KERNEL_NAME')"
fi

# jupyter_core >= 5 run from a venv prefers the venv's kernelspecs over a user-level one
# (~/.local/share/jupyter/kernels/...), but JUPYTER_PATH or JUPYTER_PREFER_ENV_PATH=0 can still
# make another one win in `jupyter lab`: warn then.
# (run-notebooks.py puts the venv first in JUPYTER_PATH, so it always gets this one.)
FOUND="$("$VENV/bin/jupyter" kernelspec list --json 2>/dev/null | "$VPY" -c 'import json,sys; print(json.load(sys.stdin)["kernelspecs"].get(sys.argv[1],{}).get("resource_dir",""))' "$KERNEL_NAME")"
if [[ "$FOUND" != "$VENV/share/jupyter/kernels/$KERNEL_NAME" ]]; then
  echo "setup-notebooks: WARNING: Jupyter resolves kernel '$KERNEL_NAME' to ${FOUND:-nothing}, not $VENV/share/jupyter/kernels/$KERNEL_NAME;" \
       "remove the other one (jupyter kernelspec remove $KERNEL_NAME) or start Jupyter with JUPYTER_PATH=$VENV/share/jupyter" >&2
fi
# the library the notebooks call: target/classes plus every runtime jar in target/lib
if [[ "${GPTKIT_SKIP_BUILD:-}" != 1 ]]; then
  echo "setup-notebooks: building gptkit (./mvnw package)..."
  (cd "$REPO" && ./mvnw -q -B -Dmaven.test.skip=true package) # the kernel needs no test classes
fi

if [[ -x "$VENV/bin/jupyter-lab" ]]; then
  echo "Notebooks ready: start Jupyter with  $VENV/bin/jupyter lab --notebook-dir=$REPO/notebooks  (headless run: python3 $REPO/scripts/run-notebooks.py)"
else
  echo "Notebooks ready: run them headless with  python3 $REPO/scripts/run-notebooks.py  (for a browser: $0 --lab, then $VENV/bin/jupyter lab --notebook-dir=$REPO/notebooks)"
fi

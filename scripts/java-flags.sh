# Sourced by ./gptkit and scripts/setup-notebooks.sh, so both run Java the same way.

# java_spec JAVA: the Java version of that executable (17, 21, 25, ...); empty when it cannot tell.
java_spec() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

# java_access_flags VERSION: JNA (DJL) loads libtorch, and a library frees memory maps through
# sun.misc.Unsafe; allowing both keeps newer JDKs from printing warnings about it on every run.
java_access_flags() {
  echo --enable-native-access=ALL-UNNAMED
  if [ "${1%%.*}" -ge 23 ]; then echo --sun-misc-unsafe-memory-access=allow; fi
}

# java_speed_flags: how the JVM runs beside libtorch on a few cores. A training step is a few hundred
# calls into libtorch; Java's own work is a few percent of it. C2, the optimising compiler, spends
# the first seconds of a run compiling on the cores libtorch's threads compute on, and G1 runs
# threads of its own; C1 alone and the serial collector leave the cores to libtorch. Measured on
# 2 cores: bench shakespeare_char_cpu, 30 iterations, 49-51 ms/iter with the JVM's defaults and
# 40-41 with these; 200 iterations 44-47 and 38; a 200-iteration train with --parts=exercises
# (javac included) 14.3-15.4 s and 11.4-13.0 s (README, "Speed").
java_speed_flags() {
  echo -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
}

# libtorch's CPU threads (the Linux libtorch of DJL and PyPI's torch both run on GNU OpenMP,
# libgomp) spin while they wait for work: libgomp's default is about 3 ms of busy-waiting
# (GOMP_SPINCOUNT 300000) before they sleep. On a quiet machine that is the fastest: on 2 cores,
# bench shakespeare_char_cpu 30.8-31.3 ms/iter against 32.6-33.1 with 1000 spins, the large shape
# about 12% faster (README, "Speed"). Next to another busy program the spinning threads take the CPU
# from the thread that has the work; gptkit.train.ThreadGovernor then runs libtorch on fewer threads
# while the other program is busy, so no spinning thread competes for its core. This spin count is
# libgomp's own default written out, so the notebook kernel gets the same (the tests keep 1000 in
# pom.xml: they run one thread each). Until issue 24 it was 1000, which held up next to a busy
# program without the governor but lost 5-12% on a quiet machine.
GPTKIT_GOMP_SPINCOUNT=300000

# omp_env_defaults: sets GOMP_SPINCOUNT (libgomp's default, see above) unless the user chose a spin count or a wait policy
# (GOMP_SPINCOUNT overrides OMP_WAIT_POLICY's spinning in libgomp, so either one means "leave it").
omp_env_defaults() {
  if [ -z "${GOMP_SPINCOUNT+set}" ] && [ -z "${OMP_WAIT_POLICY+set}" ]; then
    export GOMP_SPINCOUNT="$GPTKIT_GOMP_SPINCOUNT"
  fi
}

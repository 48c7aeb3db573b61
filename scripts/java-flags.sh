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

# Sourced by the benchmarks that start the job as the image does (java @jvm.options -jar on Java 25
# with the AOT cache, in target/): finds that Java 25 and (re)builds target/app.aot when it is missing
# or older than the sources. Sets JAVA25_HOME. Environment: JAVA25_HOME (default: the newest JDK 25+
# under /usr/lib/jvm).
# shellcheck shell=bash
if [ -z "${JAVA25_HOME:-}" ]; then
  for j in /usr/lib/jvm/*-2[5-9]*/bin/java; do
    [ -x "$j" ] && JAVA25_HOME="$(dirname "$(dirname "$j")")"
  done
fi
if [ -z "${JAVA25_HOME:-}" ] || ! "$JAVA25_HOME/bin/java" -XX:AOTMode=off -version >/dev/null 2>&1; then
  echo "$(basename "$0") needs Java 25 for the image's start: set JAVA25_HOME to a Java 25 JDK (none found under /usr/lib/jvm)" >&2
  exit 2
fi

# The AOT cache must come from this build and this JVM: rebuild when the sources or the options changed.
if [ ! -f target/app.aot ] || [ -n "$(find src/main pom.xml -newer target/app.aot -print -quit)" ]; then
  mkdir -p bench/target
  JAVA_HOME="$JAVA25_HOME" mvn -B -ntp -Paot -DskipTests package >bench/target/aot-build.log 2>&1 \
    || { tail -40 bench/target/aot-build.log >&2; echo "mvn -Paot package failed: bench/target/aot-build.log" >&2; exit 1; }
fi

#!/usr/bin/env bash
# org-sync-all over 1, 4 and 10 parallel tasks (each its own process) against a stand-in API that
# answers in 100 ms, and the memory of one task at 10,000 and 100,000 orgs. Prints the figures; they
# also go to bench/target/shards.md, every process's log to bench/target/logs/. About 6 minutes.
# Arguments go to bench/shards.py, e.g.  bench/shards.sh --shards 1,2,4 --orgs 2000 --memory-orgs 0
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "bench needs python3 (standard library only)" >&2; exit 2; }
# the tasks start as the image starts them: Java 25 with the AOT cache (java @jvm.options -jar)
if [ -z "${JAVA25_HOME:-}" ]; then
  for j in /usr/lib/jvm/*-2[5-9]*/bin/java; do
    [ -x "$j" ] && JAVA25_HOME="$(dirname "$(dirname "$j")")"
  done
fi
if [ -z "${JAVA25_HOME:-}" ] || ! "$JAVA25_HOME/bin/java" -XX:AOTMode=off -version >/dev/null 2>&1; then
  echo "shards.sh needs Java 25 for the image's start: set JAVA25_HOME to a Java 25 JDK (none found under /usr/lib/jvm)" >&2
  exit 2
fi
if [ ! -f target/app.aot ] || [ -n "$(find src/main pom.xml -newer target/app.aot -print -quit)" ]; then
  mkdir -p bench/target
  JAVA_HOME="$JAVA25_HOME" mvn -B -ntp -Paot -DskipTests package >bench/target/aot-build.log 2>&1 \
    || { tail -40 bench/target/aot-build.log >&2; echo "mvn -Paot package failed: bench/target/aot-build.log" >&2; exit 1; }
fi
exec python3 bench/shards.py --java25 "$JAVA25_HOME/bin/java" "$@"

#!/usr/bin/env bash
# One command: builds the jar if missing, then runs the benchmark (bench/bench.py) and prints the
# figures; they are also written to bench/target/results.md. Arguments go to bench.py, e.g.
#   bench/run.sh --sections cold --runs 11
# Environment: BENCH_JAVA (java to test, default: the one on PATH), BENCH_JVM_FLAGS (flags instead of
# the Dockerfile's ENTRYPOINT / the default set), BENCH_JAVA25 (a JDK 25+ java: the image's JVM, whose
# jvm.options name an AOT cache, and the AOT-cache experiment; default: the newest under /usr/lib/jvm).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "bench needs python3 (standard library only)" >&2; exit 2; }
command -v java >/dev/null || [ -n "${BENCH_JAVA:-}" ] || { echo "bench needs java" >&2; exit 2; }

# The packaged jar is what the image runs; build it only when missing or older than the sources,
# so a run measures the current checkout.
if [ ! -f target/scheduler-jobs.jar ] || [ -n "$(find src/main pom.xml -newer target/scheduler-jobs.jar -print -quit)" ]; then
  mvn -B -ntp -q -DskipTests package
fi

if [ -z "${BENCH_JAVA25:-}" ]; then
  # AOT cache (-XX:AOTCacheOutput) needs JDK 25 or later: for information only, when one is installed
  for j in /usr/lib/jvm/*-2[5-9]*/bin/java; do
    [ -x "$j" ] && export BENCH_JAVA25="$j"
  done
fi

exec python3 bench/bench.py "$@"

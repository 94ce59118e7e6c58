#!/usr/bin/env bash
# Start-up side by side, in one run: the Python baseline (bench/baseline.py), plain `java -jar`, and
# the image's AOT start (`java @jvm.options -jar scheduler-jobs.jar` on Java 25, in target/), as wall
# time and peak RSS medians and ratios to Python. Builds with `mvn -Paot` (JAVA_HOME on Java 25) when
# target/app.aot is missing or older than the sources. Arguments go to bench/startup.py, e.g.
#   bench/startup.sh --runs 21
# Environment: JAVA25_HOME (the Java 25 to use; default: the newest JDK 25+ under /usr/lib/jvm),
# BENCH_PLAIN_JAVA (the java of the plain row; default: java on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "startup.sh needs python3" >&2; exit 2; }
python3 -c 'import requests' 2>/dev/null || { echo "startup.sh needs the requests package for the Python baseline (pip install requests)" >&2; exit 2; }

# shellcheck source=bench/image-start.sh
. bench/image-start.sh

exec python3 bench/startup.py --java25 "$JAVA25_HOME/bin/java" --plain-java "${BENCH_PLAIN_JAVA:-java}" "$@"

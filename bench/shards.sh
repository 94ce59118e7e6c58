#!/usr/bin/env bash
# org-sync-all over 1, 4 and 10 parallel tasks (each its own process) against a stand-in API that
# answers in 100 ms, and the memory of one task at 10,000 and 100,000 orgs. Prints the figures; they
# also go to bench/target/shards.md, every process's log to bench/target/logs/. About 6 minutes.
# Arguments go to bench/shards.py, e.g.  bench/shards.sh --shards 1,2,4 --orgs 2000 --memory-orgs 0
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null || { echo "bench needs python3 (standard library only)" >&2; exit 2; }
# shellcheck source=bench/image-start.sh
. bench/image-start.sh

exec python3 bench/shards.py --java25 "$JAVA25_HOME/bin/java" "$@"

#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the migrate tests (MigrateJobIT) on a loopback port and
# prints the settings the tests read, ready for eval:
#
#   eval "$(bash src/test/scripts/start-postgres.sh)"
#
# Idempotent: a server already answering on the port is left as it is. Needs the PostgreSQL server
# binaries (Debian: apt-get install postgresql). As root the server runs as the postgres user.
# Settings: PGPORT (default 54329), PG_TEST_DATA (default: a folder under TMPDIR).
set -euo pipefail

port="${PGPORT:-54329}"
data="${PG_TEST_DATA:-${TMPDIR:-/tmp}/cloudact-migrate-pg}"
password="migrate-test"

bin=""
for candidate in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
  if [ -x "$candidate/pg_ctl" ]; then bin="$candidate"; break; fi
done
if [ -z "$bin" ] && command -v pg_ctl >/dev/null 2>&1; then
  bin="$(dirname "$(command -v pg_ctl)")"
fi
if [ -z "$bin" ]; then
  echo "start-postgres.sh: no PostgreSQL server binaries (pg_ctl); install them, e.g. apt-get install postgresql" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: use the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    pwfile="$(mktemp)"
    echo "$password" > "$pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$data" "$pwfile"; fi
    chmod 700 "$data"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
      --encoding=UTF8 --locale=C >"$data.initdb.log" 2>&1 || { cat "$data.initdb.log" >&2; exit 1; }
    rm -f "$pwfile"
  fi
  # loopback TCP only; the socket goes into the data folder, not into a system folder
  as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data" start >&2 \
    || { cat "$data/server.log" >&2; exit 1; }
fi

cat <<EOF
export PGHOST=127.0.0.1
export PGPORT=$port
export PGUSER=postgres
export PGPASSWORD=$password
export PGDATABASE=postgres
EOF

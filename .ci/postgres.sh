#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on loopback for the test suite, with no system
# service: initdb into a temporary folder, trust authentication, port $PGPORT (default 54329).
# Prints the environment the tests read. Stop it with: pg_ctl -D "$PGDATA" stop
set -euo pipefail
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
PORT=${PGPORT:-54329}
DATA=$(mktemp -d /tmp/dbt_loss_pg.XXXXXX)
OWNER=postgres
if [ "$(id -u)" != 0 ]; then OWNER=$(id -un); fi
chown "$OWNER" "$DATA"
run() { if [ "$(id -u)" = 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi; }
run "$BIN/initdb" -D "$DATA" -U postgres -A trust --no-sync >/dev/null
run "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >/dev/null
run "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres dbt_loss
echo "export DBT_LOSS_POSTGRES=postgresql://postgres@127.0.0.1:$PORT/dbt_loss PGDATA=$DATA PG_BIN=$BIN"

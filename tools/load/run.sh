#!/usr/bin/env bash
# make load: for each engine in $ENGINES (default "sqlite postgres"), start
# the built binary with the demo county on loopback — SQLite in a temporary
# data directory, PostgreSQL in a throwaway cluster started here with initdb
# and pg_ctl (durable settings, pg_stat_statements loaded) — run the load
# generator against it (its first scenario is the bare net/http handler the
# others are compared with), and stop everything. With PGSTAT=1 the
# statements that took the most database time are printed after the
# PostgreSQL run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-bin/edugroup}
CONCURRENCY=${CONCURRENCY:-50}
DURATION=${DURATION:-15s}
ENGINES=${ENGINES:-sqlite postgres}
SCENARIOS=${SCENARIOS:-default}
PASSWORD=${EDUGROUP_DEMO_PASSWORD:-Demo@2026}

work=$(mktemp -d)
chmod 711 "$work" # the postgres account must reach its cluster directory inside
pids=()
pgdata=""
cleanup() {
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ -n "$pgdata" ] && as_pg pg_ctl -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# The directory holding initdb, pg_ctl and psql (a link to initdb elsewhere
# on the PATH is followed to it).
pgbin() {
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(readlink -f "$(command -v initdb)")"
		return
	fi
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n1
}

# PostgreSQL refuses to run as root; as root, run it as the postgres account.
as_pg() {
	local cmd=$1
	shift
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$PGBIN/$cmd" "$@"
	else
		"$PGBIN/$cmd" "$@"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_pg() {
	PGBIN=$(pgbin)
	[ -x "$PGBIN/initdb" ] || { echo "load: initdb not found (install PostgreSQL 15 or set ENGINES=sqlite)" >&2; exit 1; }
	mkdir -p "$work/pg"
	[ "$(id -u)" = 0 ] && chown postgres "$work/pg"
	pgdata="$work/pg/data"
	local port
	port=$(free_port)
	as_pg initdb -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
	as_pg pg_ctl -D "$pgdata" -l "$work/pg/log" -w -t 60 \
		-o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" \
		start >/dev/null
	as_pg psql -h 127.0.0.1 -p "$port" -U postgres -q -c 'CREATE DATABASE edugroup' >/dev/null
	as_pg psql -h 127.0.0.1 -p "$port" -U postgres -d edugroup -q -c 'CREATE EXTENSION pg_stat_statements' >/dev/null
	PGPORT=$port
	DSN="postgres://postgres@127.0.0.1:$port/edugroup?sslmode=disable"
}

pg_top() {
	as_pg psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d edugroup -P pager=off -c "
SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
       shared_blks_hit + shared_blks_read AS blocks, left(regexp_replace(query, '\s+', ' ', 'g'), 150) AS query
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'edugroup')
ORDER BY total_exec_time DESC LIMIT 20"
}

serve() { # engine
	local log="$work/$1.log" args=(serve --demo --addr 127.0.0.1:0)
	if [ "$1" = postgres ]; then
		start_pg
		args+=(--db "$DSN" --data "$work/pgfiles")
	else
		args+=(--data "$work/sqlite")
	fi
	"$BIN" "${args[@]}" >"$log" 2>&1 &
	pids+=($!)
	URL=""
	for _ in $(seq 1 600); do
		URL=$(sed -n 's/.*is running at \(http:[^ ]*\).*/\1/p' "$log" | head -n1)
		[ -n "$URL" ] && return
		sleep 0.1
	done
	cat "$log" >&2
	exit 1
}

status=0
for engine in $ENGINES; do
	echo "== $engine =="
	serve "$engine"
	if [ "$engine" = postgres ]; then
		as_pg psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d edugroup -q -c 'SELECT pg_stat_statements_reset()' >/dev/null
	fi
	go run ./tools/load -url "$URL" -c "$CONCURRENCY" -d "$DURATION" -scenarios "$SCENARIOS" -password "$PASSWORD" || status=1
	if [ "$engine" = postgres ] && [ "${PGSTAT:-}" = 1 ]; then
		pg_top
	fi
	kill -TERM "${pids[-1]}" 2>/dev/null || true
	wait "${pids[-1]}" 2>/dev/null || true
	echo
done
exit $status

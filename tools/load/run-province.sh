#!/usr/bin/env bash
# The registry load test: build a province-sized registry once (2,000 groups,
# 10,000 schools, 300,000 staff), start the built binary on it on loopback,
# run the registry scenarios (school, group and staff lists and details) with
# 50 clients, stop the server.
#
#   tools/load/run-province.sh [BIN] [extra flags for tools/load]
#
# PROVINCE_DATA names a data directory to keep the registry in between runs
# (built on the first run, reused after); without it a fresh temporary
# directory is built and removed again. CONCURRENCY (50) and DURATION (15s)
# set -c and -d; EDUGROUP_DEMO_PASSWORD the demo accounts' password.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-bin/edugroup}
shift || true
CONCURRENCY=${CONCURRENCY:-50}
DURATION=${DURATION:-15s}
PASSWORD=${EDUGROUP_DEMO_PASSWORD:-Demo@2026}

fresh=""
if [ -n "${PROVINCE_DATA:-}" ]; then
	data=$PROVINCE_DATA
	mkdir -p "$data"
else
	data=$(mktemp -d)
	fresh=$data
fi
log=$(mktemp)
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -f "$log"
	if [ -n "$fresh" ]; then rm -rf "$fresh"; fi
}
trap cleanup EXIT

# The marker is written only after a complete load: the load is one
# transaction, so a directory without it holds no registry.
if [ ! -f "$data/province.ready" ]; then
	echo "building the province registry in $data (once; set PROVINCE_DATA to keep it) ..."
	"$BIN" demo --scale province --data "$data" --demo-password "$PASSWORD"
	touch "$data/province.ready"
fi

"$BIN" serve --data "$data" --addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 300); do
	url=$(sed -n 's/.*is running at \(http:[^ ]*\).*/\1/p' "$log" | head -n1)
	[ -n "$url" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; exit 1; }
go run ./tools/load -url "$url" -c "$CONCURRENCY" -d "$DURATION" -password "$PASSWORD" -scenarios registry "$@"

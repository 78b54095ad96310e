#!/usr/bin/env bash
# make load: start the built binary with the demo county in a temporary data
# directory on loopback, run the load generator against it, stop the server.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-bin/edugroup}
CONCURRENCY=${CONCURRENCY:-50}
DURATION=${DURATION:-15s}

data=$(mktemp -d)
log="$data/server.log"
"$BIN" serve --demo --data "$data" --addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
cleanup() {
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -rf "$data"
}
trap cleanup EXIT
url=""
for _ in $(seq 1 300); do
	url=$(sed -n 's/.*is running at \(http:[^ ]*\).*/\1/p' "$log" | head -n1)
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; exit 1; }
go run ./tools/load -url "$url" -c "$CONCURRENCY" -d "$DURATION" -password "${EDUGROUP_DEMO_PASSWORD:-Demo@2026}"

#!/usr/bin/env bash
# Browser tests: start the built binary with the demo county in a temporary
# data directory on a free loopback port, drive it with the system Chromium
# through playwright-core, then stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-bin/edugroup}

CHROMIUM=${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
	if [ "${CI:-}" = "true" ]; then
		echo "e2e: Chromium is required under CI (apt-get install chromium)" >&2
		exit 1
	fi
	echo "e2e: Chromium not found; skipping the browser tests (apt-get install chromium to run them)"
	exit 0
fi
if [ ! -f ui/dist/app/index.html ]; then
	echo "e2e: the web client is not built (ui/dist/app); run make build with npm available" >&2
	exit 1
fi

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
	if ! kill -0 "$pid" 2>/dev/null; then
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done
if [ -z "$url" ]; then
	echo "e2e: the server did not start" >&2
	cat "$log" >&2
	exit 1
fi

cd e2e
[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
EDUGROUP_URL="$url" CHROMIUM_PATH="$CHROMIUM" node --test --test-concurrency=1 ${E2E_SPECS:-./*.spec.mjs}

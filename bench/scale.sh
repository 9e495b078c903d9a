#!/usr/bin/env bash
# Scale benchmark (issue 7): 1,000,000 stored items on one backend, wrk over
# loopback. The standard 10,000-item workload is ingested through the real
# pipeline (`fetch --all`), then copied 99 times in SQL (new GUIDs and URLs,
# earlier dates) to reach a million. Prints requests/s and latency
# percentiles for the feed page, the API's first page, a deep cursor page
# and searches, and the database size per 1,000 items.
#
#   bench/scale.sh sqlite|postgres [DURATION_SECONDS] [CONNECTIONS]
#
# postgres uses $BULLETIN_BENCH_DATABASE_URL (default: the machine's server,
# database test) and a schema of its own, bench_scale, kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:?usage: bench/scale.sh sqlite|postgres [SECONDS] [CONNECTIONS]}"
duration="${2:-10}"
conns="${3:-8}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source bench/million.sh
# Migrations a newer build brings are applied before measuring (on a
# million items they can take minutes).
"$bin" --data "$data" --database "$database" migrate
items=$("$bin" --data "$data" --database "$database" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])')
bytes=$(sql "$size_sql")
echo "backend: $backend; items stored: $items; database: $(( bytes / 1048576 )) MiB, $(( bytes / (items / 1000) / 1024 )) KiB per 1,000 items"
deep=$(sql "$cursor_sql")

"$bin" --data "$data" --database "$database" serve --role web --addr "127.0.0.1:$port" 2> "$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
sleep 1

run() {
  local name="$1" path="$2"
  curl -sf "http://127.0.0.1:$port$path" > /dev/null || { echo "$name: request failed" >&2; return 1; }
  wrk -t2 -c"$conns" -d"${duration}s" --latency "http://127.0.0.1:$port$path" > "$work/wrk.out"
  awk -v name="$name" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $4 }
    END { printf "%-46s %8.0f req/s   p50 %-8s p90 %-8s p99 %-8s%s\n", name, rps, p50, p90, p99, (bad ? "  NON-2xx: " bad : "") }' "$work/wrk.out"
}
echo "wrk: $conns connections, 2 threads, ${duration}s per endpoint, server, database and wrk on the same 2 cores"
run "GET / (feed page)" "/"
run "GET /api/v1/items?limit=20" "/api/v1/items?limit=20"
run "GET /api/v1/items (deep cursor, item 900,000)" "/api/v1/items?limit=20&cursor=$deep"
run "GET / (deep cursor, item 900,000)" "/?cursor=$deep"
run "GET /search?q=minister" "/search?q=minister"
run "GET /api/v1/items?q=merger+tokyo" "/api/v1/items?limit=20&q=merger+tokyo"
run "GET /search?q=minister&order=relevance" "/search?q=minister&order=relevance"
run "GET /api/v1/items?q=merger+tokyo&order=relevance" "/api/v1/items?limit=20&q=merger+tokyo&order=relevance"

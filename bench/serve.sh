#!/usr/bin/env bash
# Serving benchmark (issue 2): 100,000 stored items, wrk over loopback.
# The standard 10,000-item workload is ingested through the real pipeline,
# then copied nine times in SQL (new GUIDs, URLs and earlier dates) to reach
# 100,000 items. Prints requests/s and latency percentiles per endpoint, and
# the idle resident memory of `bulletin serve`.
#
#   bench/serve.sh [DURATION_SECONDS] [CONNECTIONS]     (default 10 s, 8 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
conns="${2:-8}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet -p bulletin
bin="$CARGO_TARGET_DIR/release/bulletin"
work="$CARGO_TARGET_DIR/bench-serve"
data="$work/data"
port=8089
if [ ! -f "$data/.seeded-100k" ]; then
  rm -rf "$work" && mkdir -p "$work"
  python3 ../shared/bench/gen_feeds.py --feeds 200 --items 50 --seed 42 --out "$work/wl" --base-url "http://127.0.0.1:8087" > /dev/null
  python3 -m http.server 8087 --bind 127.0.0.1 --directory "$work/wl" > /dev/null 2>&1 &
  feeds=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:8087/manifest.json" > /dev/null && break; sleep 0.1; done
  mapfile -t urls < "$work/wl/urls.txt"
  "$bin" --data "$data" --allow-private-networks source add "${urls[@]}" > /dev/null 2>&1
  "$bin" --data "$data" --allow-private-networks fetch --all > /dev/null
  kill $feeds
  cols="source_id, guid, kind, url, canonical_url, title, summary, published_at, modified_at, created_at, lang, site_name, authors, lead_image, text, html, word_count, reading_time"
  for copy in $(seq 1 9); do
    sqlite3 "$data/bulletin.sqlite" "INSERT INTO items ($cols)
      SELECT source_id, guid || '-copy$copy', kind, url || '?copy=$copy', canonical_url || '?copy=$copy', title, summary,
             published_at - $copy * 86400000 * 3, modified_at, created_at, lang, site_name, authors, lead_image, text, html, word_count, reading_time
      FROM items WHERE guid NOT LIKE '%-copy%';"
  done
  touch "$data/.seeded-100k"
fi
echo "items stored: $("$bin" --data "$data" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])')"
deep=$(sqlite3 "$data/bulletin.sqlite" "SELECT published_at || '.' || id FROM items ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET 90000")

"$bin" --data "$data" serve --addr "127.0.0.1:$port" --no-fetch 2> "$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
sleep 1
echo "idle RSS of bulletin serve: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$server/status)"

run() {
  local name="$1" path="$2"
  curl -sf "http://127.0.0.1:$port$path" > /dev/null || { echo "$name: request failed" >&2; return 1; }
  wrk -t2 -c"$conns" -d"${duration}s" --latency "http://127.0.0.1:$port$path" > "$work/wrk.out"
  awk -v name="$name" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $4 }
    END { printf "%-44s %9.0f req/s   p50 %-8s p90 %-8s p99 %-8s%s\n", name, rps, p50, p90, p99, (bad ? "  NON-2xx: " bad : "") }' "$work/wrk.out"
}
echo "wrk: $conns connections, 2 threads, ${duration}s per endpoint, server and wrk on the same 2 cores"
run "GET /api/v1/items?limit=20" "/api/v1/items?limit=20"
run "GET /api/v1/items?limit=20 (deep cursor)" "/api/v1/items?limit=20&cursor=$deep"
run "GET / (first page)" "/"
run "GET / (deep cursor, item 90,000)" "/?cursor=$deep"
run "GET /api/v1/items?limit=100&include=content" "/api/v1/items?limit=100&include=content"
run "GET /items/{id}" "/items/5000"
echo "RSS of bulletin serve after the load: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$server/status)"

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
cargo build --release --quiet -p bulletin
bin="$CARGO_TARGET_DIR/release/bulletin"
work="$CARGO_TARGET_DIR/bench-scale-$backend"
data="$work/data"
mkdir -p "$work"
port=8090
copies=99
cols="source_id, guid, kind, url, canonical_url, title, summary, published_at, modified_at, created_at, lang, site_name, authors, lead_image, text, html, word_count, reading_time"

case "$backend" in
  sqlite)
    db="$data/bulletin.sqlite"
    database="sqlite:$db"
    sql() { sqlite3 "$db" "$1"; }
    copy_sql() { # $1: copy number
      echo "INSERT INTO items ($cols)
        SELECT source_id, guid || '-copy$1', kind, url || '?copy=$1', canonical_url || '?copy=$1', title, summary,
               published_at - $1 * 86400000, modified_at, created_at, lang, site_name, authors, lead_image, text, html,
               word_count, reading_time
        FROM items WHERE guid NOT LIKE '%-copy%';"
    }
    cursor_sql="SELECT published_at || '.' || id FROM items ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET 900000"
    size_sql="SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
    ;;
  postgres)
    base="${BULLETIN_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
    psql "$base" -qc "CREATE SCHEMA IF NOT EXISTS bench_scale" > /dev/null
    database="$base?options=-c%20search_path%3Dbench_scale"
    sql() { PGOPTIONS="-c search_path=bench_scale" psql "$base" -qAtc "$1"; }
    copy_sql() {
      echo "INSERT INTO items ($cols)
        SELECT source_id, guid || '-copy$1', kind, url || '?copy=$1', canonical_url || '?copy=$1', title, summary,
               published_at - interval '$1 days', modified_at, created_at, lang, site_name, authors, lead_image, text,
               html, word_count, reading_time
        FROM items WHERE guid NOT LIKE '%-copy%';"
    }
    cursor_sql="SELECT (extract(epoch FROM published_at) * 1000)::bigint || '.' || id FROM items ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET 900000"
    size_sql="SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'bench_scale' AND c.relkind IN ('r', 'm')"
    ;;
  *) echo "unknown backend $backend: sqlite or postgres" >&2; exit 2 ;;
esac

if [ ! -f "$work/.seeded-1m" ]; then
  start=$(date +%s)
  python3 ../shared/bench/gen_feeds.py --feeds 200 --items 50 --seed 42 --out "$work/wl" --base-url "http://127.0.0.1:8088" > /dev/null
  python3 -m http.server 8088 --bind 127.0.0.1 --directory "$work/wl" > /dev/null 2>&1 &
  feeds=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:8088/manifest.json" > /dev/null && break; sleep 0.1; done
  mapfile -t urls < "$work/wl/urls.txt"
  "$bin" --data "$data" --database "$database" --allow-private-networks source add "${urls[@]}" > /dev/null 2>&1
  "$bin" --data "$data" --database "$database" --allow-private-networks fetch --all > /dev/null
  kill $feeds
  for copy in $(seq 1 $copies); do sql "$(copy_sql "$copy")" > /dev/null; done
  # The search table is kept by a trigger: its statistics (which the
  # relevance search reads from the planner) need the same refresh.
  [ "$backend" = postgres ] && sql "VACUUM ANALYZE items" > /dev/null && sql "VACUUM ANALYZE item_search" > /dev/null
  # Rows copied in SQL are not in SQLite's search index (Rust stems the
  # words); PostgreSQL's trigger indexed them.
  [ "$backend" = sqlite ] && "$bin" --data "$data" --database "$database" reindex
  [ "$backend" = sqlite ] && sql "ANALYZE" > /dev/null
  echo "seeded in $(( $(date +%s) - start )) s"
  touch "$work/.seeded-1m"
fi
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

# Sourced by the benchmarks that need a million stored items (scale.sh,
# filing.sh): builds Bulletin, and seeds $backend's database once. The
# standard 10,000-item workload is ingested through the real pipeline
# (`fetch --all`), then copied 99 times in SQL (new GUIDs and URLs, each copy
# a day earlier) to reach a million; the copies are not filed into stories.
# Defines bin, work, data, database, sql (a query on the database) and
# cursor_sql / size_sql.
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

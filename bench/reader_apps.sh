#!/usr/bin/env bash
# Reader apps: newsboat's full sync of the standard workload (200 feeds x 50
# items) from Bulletin, in its Miniflux mode (the Miniflux API) and its FeedHQ
# mode (the Google Reader API), each run with an empty newsboat cache; then,
# unless BENCH_PEER=0, the same Miniflux-mode sync from Miniflux 2.2 itself
# (../shared/bench/miniflux_ingest.sh, on the same served workload, in the
# same run), and the ratio. Then "mark all as read" over 100,000 unread items
# on SQLite and PostgreSQL (crates/bulletin/examples/reader_state.rs).
#
#   bench/reader_apps.sh [RUNS]     (default 3 syncs per mode)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
cargo build --release --quiet -p bulletin --example reader_state
bin="$CARGO_TARGET_DIR/release/bulletin"
work="$CARGO_TARGET_DIR/bench-reader-apps"
port="${BENCH_PORT:-8091}"
app_port=$((port + 1))
rm -rf "$work" && mkdir -p "$work"
python3 ../shared/bench/gen_feeds.py --feeds 200 --items 50 --seed 42 --out "$work/wl" --base-url "http://127.0.0.1:$port" > /dev/null
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/wl" > /dev/null 2>&1 &
feeds=$!
pids=("$feeds")
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/manifest.json" > /dev/null && break; sleep 0.1; done

data="$work/data"
mapfile -t urls < "$work/wl/urls.txt"
"$bin" --data "$data" --allow-private-networks source add "${urls[@]}" > /dev/null 2>&1
"$bin" --data "$data" --allow-private-networks fetch --all > /dev/null
echo "password-for-ana" | "$bin" --data "$data" user add ana > /dev/null 2>&1
echo "app-password-for-ana" | "$bin" --data "$data" user app-password ana > /dev/null 2>&1
"$bin" --data "$data" serve --addr "127.0.0.1:$app_port" --no-fetch > "$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$app_port/healthz" > /dev/null && break; sleep 0.1; done

# newsboat MODE URL LOGIN PASSWORD: one full sync into an empty cache;
# prints the seconds it took and the unread count newsboat reports.
sync() {
  local mode=$1 url=$2 login=$3 password=$4 dir
  dir=$(mktemp -d "$work/newsboat.XXXX")
  {
    echo "urls-source \"$mode\""
    echo "$mode-url \"$url\""
    echo "$mode-login \"$login\""
    echo "$mode-password \"$password\""
    [ "$mode" = feedhq ] && echo "feedhq-min-items 100"
    true
  } > "$dir/conf"
  : > "$dir/urls"
  local start end unread
  start=$(date +%s.%N)
  newsboat -C "$dir/conf" -u "$dir/urls" -c "$dir/cache.db" -x reload > /dev/null
  end=$(date +%s.%N)
  unread=$(newsboat -C "$dir/conf" -u "$dir/urls" -c "$dir/cache.db" -x print-unread | awk '{print $1}')
  python3 -c "print(f'{$end - $start:.2f} $unread')"
}

median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.2f}")' "$@"; }

declare -A best
for mode in miniflux feedhq; do
  times=()
  for run in $(seq "$runs"); do
    read -r seconds unread < <(sync "$mode" "http://127.0.0.1:$app_port/" ana app-password-for-ana)
    echo "bulletin $mode sync $run: ${seconds} s, newsboat reports $unread unread"
    [ "$unread" = 10000 ] || { echo "expected 10000 unread" >&2; exit 1; }
    times+=("$seconds")
  done
  best[$mode]=$(median "${times[@]}")
  echo "bulletin $mode sync: median ${best[$mode]} s over $runs runs"
done

if [ "${BENCH_PEER:-1}" != 0 ]; then
  python3 - "$work/wl/feeds.opml" > "$work/peer.opml" <<'PY'
import sys; print(open(sys.argv[1]).read())
PY
  MINIFLUX_KEEP=1 bash ../shared/bench/miniflux_ingest.sh "$work/peer.opml" 10000 > "$work/peer.out" 2> "$work/peer.err"
  read -r mpid mport < <(sed -nE 's/^miniflux pid ([0-9]+) on 127\.0\.0\.1:([0-9]+).*/\1 \2/p' "$work/peer.err")
  pids+=("$mpid")
  echo "miniflux ingest: $(cat "$work/peer.out")"
  times=()
  for run in $(seq "$runs"); do
    read -r seconds unread < <(sync miniflux "http://127.0.0.1:$mport/" admin admin-password-123)
    echo "miniflux sync $run: ${seconds} s, newsboat reports $unread unread"
    times+=("$seconds")
  done
  peer=$(median "${times[@]}")
  kill "$mpid" 2>/dev/null || true
  sleep 1
  for db in $(psql postgres://postgres@127.0.0.1:5432/postgres -Atc "select datname from pg_database where datname like 'miniflux\_%'"); do
    psql postgres://postgres@127.0.0.1:5432/postgres -qc "drop database if exists $db with (force)" > /dev/null 2>&1 || true
  done
  python3 -c "print(f'newsboat Miniflux-mode sync: Miniflux {$peer:.2f} s / Bulletin ${best[miniflux]} s = {$peer / ${best[miniflux]}:.1f}x')"
fi

"$CARGO_TARGET_DIR/release/examples/reader_state" sqlite 100000 5
if pg_isready -q -h 127.0.0.1 -p 5432; then
  "$CARGO_TARGET_DIR/release/examples/reader_state" postgres 100000 5
fi

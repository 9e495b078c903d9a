#!/usr/bin/env bash
# Ingest benchmark (issue 2): the standard workload of 200 feeds x 50 items,
# served from loopback, from `bulletin fetch --all` to every item stored and
# searchable. Prints wall time, items/s, CPU ms per item and peak memory.
#
#   bench/ingest.sh [RUNS]        (default 3 runs, each on a fresh data folder)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
cargo build --release --quiet -p bulletin
bin="$CARGO_TARGET_DIR/release/bulletin"
work="$CARGO_TARGET_DIR/bench-ingest"
port="${BENCH_PORT:-8088}"
rm -rf "$work" && mkdir -p "$work"
python3 ../shared/bench/gen_feeds.py --feeds 200 --items 50 --seed 42 --out "$work/wl" --base-url "http://127.0.0.1:$port" > /dev/null
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/wl" > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/manifest.json" > /dev/null && break; sleep 0.1; done

for run in $(seq "$runs"); do
  data="$work/data-$run"
  mapfile -t urls < "$work/wl/urls.txt"
  "$bin" --data "$data" --allow-private-networks source add "${urls[@]}" > /dev/null 2>&1
  /usr/bin/time -f '%e %U %S %M' -o "$work/time-$run" \
    "$bin" --data "$data" --allow-private-networks fetch --all > "$work/out-$run"
  read -r wall user sys maxrss < "$work/time-$run"
  stored=$(sqlite3 "$data/bulletin.sqlite" 'SELECT COUNT(*) FROM items')
  searchable=$(sqlite3 "$data/bulletin.sqlite" "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'officials OR the'")
  awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$maxrss" -v n="$stored" -v f="$searchable" -v r="$run" 'BEGIN {
    printf "run %d: %d items stored (%d searchable) in %.2f s wall: %.0f items/s, %.3f ms CPU per item (user %.2f s + sys %.2f s), peak RSS %.0f MB\n",
      r, n, f, w, n / w, (u + s) * 1000 / n, u, s, m / 1024 }'
done

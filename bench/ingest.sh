#!/usr/bin/env bash
# Ingest benchmark: the standard workload of 200 feeds x 50 items, served
# from loopback, from `bulletin fetch --all` to every item stored and
# searchable. Prints wall time, items/s, CPU ms per item and peak memory;
# then, unless BENCH_PEER=0, runs the reference reader (Miniflux 2.2, via
# ../shared/bench/miniflux_ingest.sh) on the same served workload in the same
# run and prints the ratio of its time to Bulletin's best and median.
#
#   bench/ingest.sh [RUNS]        (default 3 runs, each on a fresh data folder)
#
# Counts come from `bulletin stats`, so the benchmark does not depend on the
# version of any database shell.
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

walls=()
fetches=()
for run in $(seq "$runs"); do
  data="$work/data-$run"
  mapfile -t urls < "$work/wl/urls.txt"
  "$bin" --data "$data" --allow-private-networks source add "${urls[@]}" > /dev/null 2>&1
  /usr/bin/time -f '%e %U %S %M' -o "$work/time-$run" \
    "$bin" --data "$data" --allow-private-networks fetch --all > "$work/out-$run"
  read -r wall user sys maxrss < "$work/time-$run"
  stats=$("$bin" --data "$data" stats)
  stored=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])' <<< "$stats")
  searchable=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["indexed_items"])' <<< "$stats")
  walls+=("$wall")
  # `fetch` stores the items (searchable), then files them into stories:
  # both times as it prints them.
  fetch_secs=$(sed -n 's/^fetched [0-9]* sources in \([0-9.]*\)s.*/\1/p' "$work/out-$run")
  file_secs=$(sed -n 's/^filed [0-9]* items into stories in \([0-9.]*\)s.*/\1/p' "$work/out-$run")
  fetches+=("$fetch_secs")
  echo "run $run: fetching and storing ${fetch_secs}s, then filing into stories ${file_secs:-0}s"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$maxrss" -v n="$stored" -v f="$searchable" -v r="$run" 'BEGIN {
    printf "run %d: %d items stored (%d searchable) in %.2f s wall: %.0f items/s, %.3f ms CPU per item (user %.2f s + sys %.2f s), peak RSS %.0f MB\n",
      r, n, f, w, n / w, (u + s) * 1000 / n, u, s, m / 1024 }'
done

if [ "${BENCH_PEER:-1}" != 0 ]; then
  # The reference reader on the same feeds, served the same way (the
  # workload generator writes their OPML).
  if peer=$(bash ../shared/bench/miniflux_ingest.sh "$work/wl/feeds.opml" 10000 2> "$work/peer.log"); then
    read -r peer_secs peer_items <<< "$peer"
    printf '%s\n' "${walls[@]}" | sort -n > "$work/walls"
    best=$(head -1 "$work/walls")
    median=$(awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' "$work/walls")
    awk -v p="$peer_secs" -v n="$peer_items" -v b="$best" -v m="$median" 'BEGIN {
      printf "peer (Miniflux 2.2, same run): %d entries in %.2f s; Bulletin is %.1fx as fast (best run), %.1fx (median run)\n",
        n, p, p / b, p / m }'
    fetch_best=$(printf '%s\n' "${fetches[@]}" | sort -n | head -1)
    awk -v p="$peer_secs" -v b="$fetch_best" 'BEGIN {
      printf "fetching and storing alone (best run %.2f s): %.1fx as fast as the peer, which files nothing into stories\n", b, p / b }'
  else
    echo "peer (Miniflux) did not run: $(tail -1 "$work/peer.log")"
  fi
fi

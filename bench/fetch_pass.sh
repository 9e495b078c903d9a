#!/usr/bin/env bash
# Fetch benchmark (issue 4), on loopback:
#   1. 2,000 sources, every one with fresh content: items per second from
#      fetch to stored (fetch, parse, store), CPU time per request;
#   2. 10,000 sources after a first pass, 90% answering 304: the time of one
#      full `fetch --all` pass (bar: under 30 s) and CPU time per request.
# Sources are spread over 250 loopback addresses (127.0.0.1-250), so the
# per-host limit of 2 requests in flight applies as it would on the web.
#
#   bench/fetch_pass.sh [CONCURRENCY]     (default: fetch's own default, 16)
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency="${1:-16}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
cargo build --release --quiet -p bulletin --bin bulletin --example feed_farm
bin="$CARGO_TARGET_DIR/release/bulletin"
farm="$CARGO_TARGET_DIR/release/examples/feed_farm"
work="$CARGO_TARGET_DIR/bench-fetch"
rm -rf "$work" && mkdir -p "$work"

opml() { # FEEDS PORT > file
  python3 - "$1" "$2" <<'EOF'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
print('<?xml version="1.0"?><opml version="2.0"><head><title>farm</title></head><body>')
for i in range(n):
    print(f'<outline type="rss" text="Feed {i}" xmlUrl="http://127.0.0.{1 + i % 250}:{port}/feeds/{i}.xml"/>')
print('</body></opml>')
EOF
}

pass() { # LABEL DATA
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
    "$bin" --data "$2" --allow-private-networks fetch --all --concurrency "$concurrency" > "$work/out" 2>&1
  read -r wall user sys maxrss < "$work/time"
  echo "$1 $wall $user $sys $maxrss"
}

# 1. Fresh content: 2,000 feeds x 10 items, every feed new.
"$farm" 2000 10 1 > "$work/farm1.port" &
farm1=$!
trap 'kill $farm1 ${farm2:-} 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$work/farm1.port" ] && break; sleep 0.1; done
port=$(head -1 "$work/farm1.port")
opml 2000 "$port" > "$work/fresh.opml"
"$bin" --data "$work/fresh" opml import "$work/fresh.opml" 2> /dev/null
read -r _ wall user sys maxrss <<< "$(pass fresh "$work/fresh")"
items=$("$bin" --data "$work/fresh" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])')
awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$items" -v m="$maxrss" 'BEGIN {
  printf "2,000 sources, all fresh: %d items stored in %.2f s: %.0f items/s end to end; CPU %.2f ms per request (%.2f ms per item); peak RSS %.0f MB\n",
    n, w, n / w, (u + s) * 1000 / 2000, (u + s) * 1000 / n, m / 1024 }'
kill $farm1 2>/dev/null || true

# 2. 10,000 sources: a first pass stores everything, the second is timed.
"$farm" 10000 5 10 > "$work/farm2.port" &
farm2=$!
for _ in $(seq 50); do [ -s "$work/farm2.port" ] && break; sleep 0.1; done
port=$(head -1 "$work/farm2.port")
opml 10000 "$port" > "$work/many.opml"
"$bin" --data "$work/many" opml import "$work/many.opml" 2> /dev/null
read -r _ wall1 _ _ _ <<< "$(pass first "$work/many")"
read -r _ wall user sys maxrss <<< "$(pass second "$work/many")"
fresh=$(grep -o '[0-9]* new item' "$work/out" | head -1 || true)
awk -v w1="$wall1" -v w="$wall" -v u="$user" -v s="$sys" -v m="$maxrss" -v f="$fresh" 'BEGIN {
  printf "10,000 sources (first pass %.1f s); second pass, 90%% answering 304: %.2f s wall [bar 30 s], CPU %.3f ms per request (user %.2f s + sys %.2f s), peak RSS %.0f MB; %s\n",
    w1, w, (u + s) * 1000 / 10000, u, s, m / 1024, f }'
tail -3 "$work/out"

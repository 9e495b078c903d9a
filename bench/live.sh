#!/usr/bin/env bash
# Live updates benchmark (issue 16): from a commit to the event at every
# connected client, and how many event streams one `serve` holds.
#
#   bench/live.sh sqlite|sqlite-processes|postgres|connections [CLIENTS] [EVENTS]
#
# The writes are the demo desk's newsroom updates (`serve --demo
# --demo-every 1`): each item's `published_at` is taken by the server just
# before the item is written, so "arrival − published_at" (same clock, one
# machine) bounds the time from commit to event from above. The load
# generator (`examples/live_load.rs`) holds the streams and prints p50 / p99
# / max over every (client, update) pair, and the p99 over updates of the
# time until the last client had it.
#
#   sqlite            one `serve` writes and serves 1,000 clients
#   sqlite-processes  a web process serves the clients; a worker process
#                     writes (noticed by the 100 ms version check)
#   postgres          two web processes serve 500 clients each; a worker
#                     writes (noticed by LISTEN/NOTIFY): no client is on the
#                     process that wrote
#   connections       one `serve` holds 10,000 streams: its resident memory
#                     with them open, and the delivery of 20 updates
#
# The open-file limit is raised to the hard limit with `ulimit -n` (20,000
# on these machines: one server and the generator each need one descriptor
# per stream); the script stops with a message when it is lower than needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:?usage: bench/live.sh sqlite|sqlite-processes|postgres|connections [CLIENTS] [EVENTS]}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
case "$scenario" in
  connections) clients="${2:-10000}" ;;
  *) clients="${2:-1000}" ;;
esac
events="${3:-20}"
cargo build --release --quiet -p bulletin --bin bulletin --example live_load
bin="$CARGO_TARGET_DIR/release/bulletin"
load="$CARGO_TARGET_DIR/release/examples/live_load"
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((clients + 1000)) ]; then
  echo "the open-file limit is $(ulimit -n); $clients streams need $((clients + 1000)) (raise the hard limit: ulimit -Hn, or LimitNOFILE in systemd)" >&2
  exit 1
fi
work="$CARGO_TARGET_DIR/bench-live"
rm -rf "$work" && mkdir -p "$work"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

wait_for() { # $1: address
  for _ in $(seq 100); do curl -sf "http://$1/healthz" > /dev/null && return 0; sleep 0.1; done
  echo "no server at $1" >&2; exit 1
}
start() { # $1: log name, then bulletin's arguments
  local name="$1"; shift
  "$bin" "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
}
limits=(--max-connections-per-address 30000)

case "$scenario" in
  sqlite|connections)
    start serve --data "$work/data" serve --demo --demo-every 1 --no-fetch --addr 127.0.0.1:8201 "${limits[@]}"
    server=${pids[-1]}
    wait_for 127.0.0.1:8201
    targets=127.0.0.1:8201
    ;;
  sqlite-processes)
    start web --data "$work/data" serve --role web --addr 127.0.0.1:8201 "${limits[@]}"
    server=${pids[-1]}
    wait_for 127.0.0.1:8201
    start worker --data "$work/data" serve --role worker --demo --demo-every 1
    targets=127.0.0.1:8201
    ;;
  postgres)
    base="${BULLETIN_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
    psql "$base" -qc "DROP SCHEMA IF EXISTS bench_live CASCADE; CREATE SCHEMA bench_live" > /dev/null 2>&1
    db="$base?options=-c%20search_path%3Dbench_live"
    start web-a --database "$db" serve --role web --addr 127.0.0.1:8201 "${limits[@]}"
    server=${pids[-1]}
    wait_for 127.0.0.1:8201
    start web-b --database "$db" serve --role web --addr 127.0.0.1:8202 "${limits[@]}"
    wait_for 127.0.0.1:8202
    start worker --database "$db" serve --role worker --demo --demo-every 1
    targets=127.0.0.1:8201,127.0.0.1:8202
    ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac

rss() { awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$1/status"; }
echo "$scenario: $clients clients, $events updates; server RSS before: $(rss "$server") MB"
"$load" "$targets" "$clients" "$events" 180 > "$work/load.out" &
loader=$!
# The first line: every stream is open.
for _ in $(seq 1800); do [ -s "$work/load.out" ] && break; sleep 0.1; done
sleep 1
echo "connected: $(head -1 "$work/load.out"); server RSS with them open: $(rss "$server") MB"
wait $loader
echo "latency: $(tail -1 "$work/load.out")"
echo "server peak RSS: $(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$server/status") MB"

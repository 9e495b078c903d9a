#!/usr/bin/env bash
# Feed parsing throughput (issue 5): the standard workload's 200 feeds (42 MB),
# parsed on one thread by bulletin-feeds and, in the same run, by Python's
# feedparser; prints MB/s for each and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
work="$CARGO_TARGET_DIR/bench-feeds"
rm -rf "$work" && mkdir -p "$work"
python3 ../shared/bench/gen_feeds.py --feeds 200 --items 50 --seed 42 --out "$work/wl" --base-url http://127.0.0.1:8088 > /dev/null
ours=$(cargo run --release --quiet -p bulletin-feeds --example parse_speed -- "$work/wl/feeds" 5)
echo "$ours"
python3 - "$work/wl/feeds" "$ours" <<'PY'
import os, sys, time
try:
    import feedparser
except ImportError:
    sys.exit("feedparser not installed (pip install feedparser): no ratio")
d = sys.argv[1]
docs = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
total = sum(map(len, docs)) / 1e6
t0 = time.perf_counter()
for doc in docs:
    feedparser.parse(doc)
rate = total / (time.perf_counter() - t0)
ours = float(sys.argv[2].split(":")[-1].split("MB/s")[0].split()[-1])
print(f"feedparser {feedparser.__version__}: {rate:.1f} MB/s one thread; bulletin-feeds / feedparser = {ours / rate:.0f}x")
PY

#!/usr/bin/env bash
# Filing benchmark (issue 15): near-duplicate checks and story assignment,
# items per second, with 10,000 and with 1,000,000 items already stored.
#
#   bench/filing.sh sqlite|postgres
#
# 1. Small archive: the standard workload (seed 42, 10,000 items) is
#    fetched and filed; then a second workload (seed 7, 10,000 other items
#    over the same days, other sources) is fetched, and its filing timed.
# 2. Large archive: the million-item database of bench/million.sh (shared
#    with bench/scale.sh) has every item filed again by `bulletin stories
#    rebuild` (timed, with its peak memory); then the same second workload
#    is fetched into it, and its filing timed.
# Filing times are what `bulletin fetch` and `stories rebuild` print
# (filing only, not fetching); memory is the process's peak RSS, an upper
# bound of the index's.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:?usage: bench/filing.sh sqlite|postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/bulletin-target}"
source bench/million.sh
fwork="$CARGO_TARGET_DIR/bench-filing-$backend"
rm -rf "$fwork" && mkdir -p "$fwork"

serve_workload() { # $1: seed, $2: port
  python3 ../shared/bench/gen_feeds.py --feeds 200 --items 50 --seed "$1" --out "$fwork/wl-$1" \
    --base-url "http://127.0.0.1:$2" > /dev/null
  # The generator's GUIDs and article URLs do not depend on the seed: the
  # second workload's are made its own, so that all of its items are new.
  if [ "$1" != 42 ]; then
    sed -i -e "s/urn:uuid:/urn:uuid:seed$1-/g" -e "s/news-\([0-9]\{4\}\)\.example\.org/seed$1-\1.example.org/g" \
      "$fwork/wl-$1"/feeds/*.xml
  fi
  python3 -m http.server "$2" --bind 127.0.0.1 --directory "$fwork/wl-$1" > /dev/null 2>&1 &
  servers+=($!)
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$2/manifest.json" > /dev/null && break; sleep 0.1; done
}
servers=()
trap 'kill "${servers[@]}" 2>/dev/null' EXIT
serve_workload 42 8091
serve_workload 7 8092

fetch_and_file() { # $1: data folder, $2: database, $3: seed, $4: port, $5: label
  mapfile -t urls < "$fwork/wl-$3/urls.txt"
  "$bin" --data "$1" --database "$2" --allow-private-networks source add "${urls[@]}" > /dev/null 2>&1
  # The large archive's own sources are not served here: their fetches
  # fail (and make the exit status 1), which does not touch filing.
  /usr/bin/time -q -f '%M' -o "$fwork/rss" \
    "$bin" --data "$1" --database "$2" --allow-private-networks fetch --all > "$fwork/out" || true
  echo "$5: $(grep -A1 "^filed" "$fwork/out" | tr -s " \n" " "), peak RSS $(( $(cat "$fwork/rss") / 1024 )) MB"
}

# 1. Small archive.
case "$backend" in
  sqlite) small_db="sqlite:$fwork/small/bulletin.sqlite" ;;
  postgres)
    psql "$base" -qc "DROP SCHEMA IF EXISTS bench_filing CASCADE; CREATE SCHEMA bench_filing" > /dev/null
    small_db="$base?options=-c%20search_path%3Dbench_filing"
    ;;
esac
fetch_and_file "$fwork/small" "$small_db" 42 8091 "10,000 stored, filing the standard workload"
fetch_and_file "$fwork/small" "$small_db" 7 8092 "10,000 stored, filing 10,000 new items"

# 2. Large archive.
remove_second_workload() { # its sources (and items) in the large archive
  "$bin" --data "$data" --database "$database" source list --json \
    | python3 -c 'import json,sys; [print(s["id"]) for s in json.load(sys.stdin) if ":8092/" in s["url"]]' \
    | while read -r id; do "$bin" --data "$data" --database "$database" source remove "$id" 2> /dev/null; done
}
"$bin" --data "$data" --database "$database" migrate 2> /dev/null
remove_second_workload  # left by a run that stopped early
items=$("$bin" --data "$data" --database "$database" stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"])')
echo "large archive: $items items stored"
/usr/bin/time -q -f '%M' -o "$fwork/rss" \
  "$bin" --data "$data" --database "$database" stories rebuild > "$fwork/out"
echo "stories rebuild over $items items: $(tr -s " \n" " " < "$fwork/out"), peak RSS $(( $(cat "$fwork/rss") / 1024 )) MB"
fetch_and_file "$data" "$database" 7 8092 "$items stored, filing 10,000 new items"
# Leave the shared database as bench/scale.sh expects it: without the second
# workload's sources and items.
remove_second_workload

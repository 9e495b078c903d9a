#!/usr/bin/env python3
"""Stories on the UCI News Aggregator sample, through the real ingest path.

Each of the sample's publishers becomes an Atom feed served on loopback; each
row an entry with its headline, URL and timestamp (to the millisecond) as its
publication time, and the headline as its body (so no article page is
fetched). Bulletin subscribes to every feed (`opml import`), fetches them
(`fetch --all`, which files the new items into stories in publication
order), and serves its API, from which every item's `story_id` is read
(`/api/v1/items`, paged with its cursor). The result is scored against the
stories Google News filed the rows under, with B-cubed precision, recall and
F1 (Bagga & Baldwin 1998), as the corpus README describes.

    bench/stories_uci.py [--csv PATH] [--bin PATH] [--rebuild]

With --rebuild, `bulletin stories rebuild` is run afterwards and its stories
are scored too (they must be the same: rebuilding files exactly as live
filing did).
"""
import argparse
import csv
import html
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import datetime, timezone


def atom_feed(publisher, rows, base):
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{html.escape(publisher)}</title>",
        f"<id>{base}</id>",
        "<updated>2014-03-12T00:00:00Z</updated>",
    ]
    for row in rows:
        when = datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, tz=timezone.utc)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        title = html.escape(row["TITLE"])
        out += [
            "<entry>",
            f"<id>urn:uci:{row['ID']}</id>",
            f"<title>{title}</title>",
            f'<link href="{html.escape(row["URL"])}"/>',
            f"<published>{stamp}</published>",
            f"<updated>{stamp}</updated>",
            f'<content type="html">{html.escape("<p>" + row["TITLE"] + "</p>")}</content>',
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out)


def bcubed(found, truth):
    """B-cubed precision, recall and F1 of two labelings of the same items."""
    pair = Counter(zip(found, truth))
    fsize, tsize = Counter(found), Counter(truth)
    n = len(found)
    p = sum(pair[(f, t)] / fsize[f] for f, t in zip(found, truth)) / n
    r = sum(pair[(f, t)] / tsize[t] for f, t in zip(found, truth)) / n
    return p, r, 2 * p * r / (p + r)


def norm(s):
    return " ".join(s.split())


def read_items(port):
    items, cursor = [], None
    while True:
        url = f"http://127.0.0.1:{port}/api/v1/items?limit=100"
        if cursor:
            url += "&cursor=" + urllib.parse.quote(cursor)
        with urllib.request.urlopen(url) as r:
            page = json.load(r)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def score(label, items, rows):
    by_key = defaultdict(list)
    for row in rows:
        by_key[(norm(row["PUBLISHER"]), norm(html.unescape(row["TITLE"])))].append(row)
    found, truth, unmatched, unfiled = [], [], 0, 0
    for item in items:
        key = (norm(item["source"]["title"]), norm(item.get("title") or ""))
        if not by_key.get(key):
            unmatched += 1
            continue
        row = by_key[key].pop()
        if item["story_id"] is None:
            unfiled += 1
        found.append(item["story_id"])
        truth.append(row["STORY"])
    p, r, f1 = bcubed(found, truth)
    print(
        f"{label}: {len(found)} of {len(rows)} rows scored ({unmatched} items unmatched, "
        f"{unfiled} unfiled), {len(set(found))} stories found for {len(set(truth))}: "
        f"B-cubed precision {p:.3f}, recall {r:.3f}, F1 {f1:.3f}"
    )
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default="../shared/corpus/stories/uci-news-aggregator-sample.csv")
    ap.add_argument("--bin", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "/var/tmp/bulletin-target"), "release", "bulletin"))
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the data folder")
    args = ap.parse_args()
    with open(args.csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    work = tempfile.mkdtemp(prefix="bulletin-uci-")
    feeds_dir = os.path.join(work, "feeds")
    os.makedirs(feeds_dir)
    by_publisher = defaultdict(list)
    for row in rows:
        by_publisher[row["PUBLISHER"]].append(row)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=feeds_dir, **k)

        def log_message(self, *a):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Quiet)
    feed_port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    outlines = []
    for n, (publisher, prows) in enumerate(sorted(by_publisher.items())):
        base = f"http://127.0.0.1:{feed_port}/p{n}.xml"
        with open(os.path.join(feeds_dir, f"p{n}.xml"), "w", encoding="utf-8") as f:
            f.write(atom_feed(publisher, prows, base))
        outlines.append(
            f'<outline type="rss" text="{html.escape(publisher)}" xmlUrl="{base}"/>')
    opml = os.path.join(work, "feeds.opml")
    with open(opml, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0"?><opml version="2.0"><head><title>UCI</title></head><body>'
                + "".join(outlines) + "</body></opml>")
    data = os.path.join(work, "data")
    run = lambda *a: subprocess.run([args.bin, "--data", data, "--allow-private-networks", *a],
                                    check=False, capture_output=True, text=True)
    out = run("opml", "import", opml)
    if out.returncode != 0:
        sys.exit(f"opml import failed: {out.stderr}")
    started = time.time()
    out = run("fetch", "--all", "--concurrency", "32")
    print(f"fetch --all: {time.time() - started:.1f} s; {out.stdout.strip().splitlines()[-1]}")
    web_port = 18000 + os.getpid() % 1000

    def start_web():
        """`bulletin serve --role web` on the data, once it answers."""
        web = subprocess.Popen([args.bin, "--data", data, "serve", "--role", "web",
                                "--addr", f"127.0.0.1:{web_port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        return web

    serve = start_web()
    try:
        live = score("live ingest", read_items(web_port), rows)
        if args.rebuild:
            serve.terminate()
            serve.wait()
            out = run("stories", "rebuild")
            print("rebuild:", out.stdout.strip() or out.stderr.strip())
            serve = start_web()
            rebuilt = score("after stories rebuild", read_items(web_port), rows)
            same = len(set(zip(live, rebuilt))) == len(set(live)) == len(set(rebuilt))
            print(f"rebuild gives the same partition as live filing: {same}")
    finally:
        serve.terminate()
        serve.wait()
        server.shutdown()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("data kept in", data)


if __name__ == "__main__":
    import urllib.parse  # noqa: F401
    main()

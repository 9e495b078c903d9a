#!/usr/bin/env python3
"""Attributions on PolNeAR (issue 19): runs `bulletin attributions --batch`
over the articles of a split and scores them against the annotations.

    bench/attributions_eval.py [--split dev|train] [--baseline]

Matching rules (stated here, used for every figure):
- a found content matches an annotated one when they overlap by at least half
  of the longer of the two (characters); pairs are made one to one, best
  overlap first;
- its source is right when it overlaps the annotated source, or ends in the
  same word (the same entity named again: "Mr. Trump" / "Trump"), or the
  annotation has no source and neither has the found one;
- an article annotated by several annotators is scored against the first
  annotation (by file name) only;
- direct quotes: annotated contents that open with a quotation mark, found
  contents marked `direct`; a direct quote counts when its content matches
  and its source is right.
Speed: articles per second of the whole command (one process, one core),
best of three runs.
"""
import argparse, json, os, re, subprocess, sys, tarfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", "/var/tmp/bulletin-target")
# Quotation marks that open a direct quote (NYT texts write two apostrophes).
QUOTES = ("“", "\"", "«", "''")


def corpus(split):
    base = os.path.join(TARGET, "corpus", "polnear")
    if not os.path.isdir(base):
        os.makedirs(os.path.join(TARGET, "corpus"), exist_ok=True)
        with tarfile.open(os.path.join(ROOT, "..", "shared", "corpus", "attribution", "polnear.tar.gz")) as t:
            t.extractall(os.path.join(TARGET, "corpus"))
    return os.path.join(base, split)


def gold(split_dir):
    out = {}
    for name in sorted(os.listdir(os.path.join(split_dir, "attributions"))):
        article = name.rsplit("_", 1)[0] + ".txt"
        # A few articles were annotated by every annotator (for agreement):
        # the first annotation by file name is the one scored.
        if article in out:
            continue
        spans, items = {}, []
        for line in open(os.path.join(split_dir, "attributions", name), encoding="utf-8"):
            parts = line.rstrip("\n").split("\t")
            if parts[0].startswith("T") and len(parts) >= 3:
                kind, _, offsets = parts[1].partition(" ")
                pieces = [tuple(map(int, p.split())) for p in offsets.split(";")]
                # Fragments of a discontinuous span are not always listed
                # in text order: the span runs from the first to the last.
                spans[parts[0]] = (kind, min(p[0] for p in pieces), max(p[1] for p in pieces), parts[2])
            elif parts[0].startswith("E") and len(parts) >= 2:
                roles = dict(r.split(":") for r in parts[1].split() if ":" in r)
                get = lambda role: spans.get(roles.get(role, ""), None)
                content = get("Content")
                if content:
                    items.append({"content": content, "source": get("Source"), "cue": get("Cue")})
        out.setdefault(article, []).extend(items)
    return out


def found_by_bulletin(split_dir):
    binary = os.path.join(TARGET, "release", "bulletin")
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "bulletin"], cwd=ROOT, check=True,
                   env=dict(os.environ, CARGO_TARGET_DIR=TARGET))
    best, lines = None, None
    for _ in range(3):
        t = time.perf_counter()
        done = subprocess.run([binary, "attributions", "--batch", os.path.join(split_dir, "text")],
                              capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - t
        if best is None or elapsed < best:
            best, lines = elapsed, done.stdout
    out = {}
    for line in lines.splitlines():
        doc = json.loads(line)
        out[doc["file"]] = [
            {"content": ("", a["content"]["start"], a["content"]["end"], a["content"]["text"]),
             "source": a["source"] and ("", a["source"]["start"], a["source"]["end"], a["source"]["text"]),
             "direct": a["direct"]}
            for a in doc["attributions"]
        ]
    return out, best


CUES = re.compile(r"\b(said|says|say|told|according to|claimed|added|noted|wrote|reported|stated|argued|announced)\b", re.I)


def found_by_baseline(split_dir):
    """Every sentence with a speech verb; its grammatical subject (the words
    before the verb) as source, the rest of the sentence as content."""
    out = {}
    for name in sorted(os.listdir(os.path.join(split_dir, "text"))):
        text = open(os.path.join(split_dir, "text", name), encoding="utf-8").read()
        found = []
        for m in re.finditer(r"[^.!?\n]+[.!?]?", text):
            sentence, start = m.group(0), m.start()
            cue = CUES.search(sentence)
            if not cue:
                continue
            lead = len(sentence) - len(sentence.lstrip())
            source = (start + lead, start + cue.start())
            content = (start + cue.end(), start + len(sentence.rstrip(" .!?")))
            found.append({
                "content": ("", content[0], content[1], text[content[0]:content[1]]),
                "source": ("", source[0], source[1], text[source[0]:source[1]]) if source[1] > source[0] else None,
                "direct": text[content[0]:content[1]].lstrip(" ,:").startswith(QUOTES),
            })
        out[name] = found
    return out


def overlap(a, b):
    return max(0, min(a[2], b[2]) - max(a[1], b[1]))


def head(span):
    words = re.findall(r"\w+", span[3].lower()) if span else []
    return words[-1] if words else None


def source_right(pred, gold_item):
    g, p = gold_item["source"], pred["source"]
    if g is None:
        return p is None
    if p is None:
        return False
    return overlap(p, g) > 0 or head(p) == head(g)


def dates(split_root):
    """The claim dates test set (bench/claim_dates.tsv): each article is
    read with its publication date; a sentence of the set is right when an
    attribution whose cue is in it has the expected day (or range) as its
    period."""
    binary = os.path.join(TARGET, "release", "bulletin")
    right = total = 0
    wrong = []
    for line in open(os.path.join(ROOT, "bench", "claim_dates.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        split, article, start, end, published, expression, expected = line.rstrip("\n").split("\t")
        path = os.path.join(split_root, split, "text", article)
        sentence = open(path, encoding="utf-8").read()[int(start):int(end)]
        done = subprocess.run([binary, "attributions", "--published", published, path],
                              capture_output=True, text=True, check=True)
        periods = [a["period"] for a in json.loads(done.stdout)["attributions"]
                   if a["period"] and int(start) <= a["cue"]["start"] < int(end)]
        got = ["%s..%s" % (p["from"], p["to"]) if p["from"] != p["to"] else p["from"] for p in periods]
        total += 1
        if expected in got:
            right += 1
        else:
            wrong.append((published, expression, expected, got, sentence))
    return right, total, wrong


def errors(golds, founds, texts, kind, limit):
    """Prints up to `limit` errors of one kind, with their sentence:
    `missed-direct`, `wrong-source-direct`, `false-direct`, `missed`, `false`."""
    shown = 0
    for article, items in golds.items():
        preds = founds.get(article, [])
        text = texts[article]
        def match(a, b):
            o = overlap(a, b)
            longer = max(a[2] - a[1], b[2] - b[1])
            return longer and o * 2 >= longer
        def ctx(span):
            return text[max(0, span[1] - 120):span[2] + 60].replace("\n", " ")
        for g in items:
            direct = g["content"][3].lstrip().startswith(QUOTES)
            hits = [p for p in preds if match(p["content"], g["content"])]
            if kind == "missed-direct" and direct and not hits:
                near = [p for p in preds if overlap(p["content"], g["content"])]
                print(f"--- {article}\n  GOLD src={g['source'] and g['source'][3]!r} content={g['content'][3][:160]!r}")
                for p in near:
                    print(f"  NEAR src={p['source'] and p['source'][3]!r} content={p['content'][3][:160]!r}")
                shown += 1
            elif kind == "wrong-source-direct" and direct and hits and not any(source_right(p, g) for p in hits):
                print(f"--- {article}\n  GOLD src={g['source'] and g['source'][3]!r} cue={g['cue'] and g['cue'][3]!r}\n  OURS src={hits[0]['source'] and hits[0]['source'][3]!r}\n  {ctx(g['content'])!r}")
                shown += 1
            elif kind == "missed" and not hits:
                print(f"--- {article}\n  GOLD src={g['source'] and g['source'][3]!r} cue={g['cue'] and g['cue'][3]!r} content={g['content'][3][:200]!r}")
                shown += 1
            if shown >= limit:
                return
        for p in preds:
            if kind in ("false", "false-direct") and (p["direct"] or kind == "false"):
                if not any(match(p["content"], g["content"]) for g in items):
                    near = [g for g in items if overlap(p["content"], g["content"])]
                    print(f"--- {article}\n  OURS src={p['source'] and p['source'][3]!r} content={p['content'][3][:200]!r}")
                    for g in near:
                        print(f"  GOLD src={g['source'] and g['source'][3]!r} content={g['content'][3][:200]!r}")
                    shown += 1
            if shown >= limit:
                return


def score(golds, founds):
    totals = dict(gold=0, found=0, matched=0, source_ok=0, gold_direct=0, found_direct=0, direct_ok=0)
    for article, items in golds.items():
        preds = founds.get(article, [])
        totals["gold"] += len(items)
        totals["found"] += len(preds)
        totals["gold_direct"] += sum(1 for g in items if g["content"][3].lstrip().startswith(QUOTES))
        totals["found_direct"] += sum(1 for p in preds if p["direct"])
        pairs = []
        for gi, g in enumerate(items):
            for pi, p in enumerate(preds):
                o = overlap(p["content"], g["content"])
                longer = max(p["content"][2] - p["content"][1], g["content"][2] - g["content"][1])
                if longer and o * 2 >= longer:
                    pairs.append((o / longer, gi, pi))
        used_g, used_p = set(), set()
        for _, gi, pi in sorted(pairs, reverse=True):
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi); used_p.add(pi)
            totals["matched"] += 1
            ok = source_right(preds[pi], items[gi])
            totals["source_ok"] += ok
            is_direct = items[gi]["content"][3].lstrip().startswith(QUOTES)
            if is_direct and preds[pi]["direct"] and ok:
                totals["direct_ok"] += 1
    return totals


def report(label, t):
    p = t["matched"] / t["found"] if t["found"] else 0
    r = t["matched"] / t["gold"] if t["gold"] else 0
    f = 2 * p * r / (p + r) if p + r else 0
    dp = t["direct_ok"] / t["found_direct"] if t["found_direct"] else 0
    dr = t["direct_ok"] / t["gold_direct"] if t["gold_direct"] else 0
    df = 2 * dp * dr / (dp + dr) if dp + dr else 0
    src = t["source_ok"] / t["matched"] if t["matched"] else 0
    print(f"{label}: direct quotes with the right source P {dp:.3f} R {dr:.3f} F1 {df:.3f} [bar >= 0.85]; "
          f"all contents P {p:.3f} R {r:.3f} F1 {f:.3f} [bar >= 0.60]; source right for {src:.3f} of those found [bar >= 0.75] "
          f"({t['gold']} annotated, {t['found']} found, {t['gold_direct']} annotated direct)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev")
    ap.add_argument("--baseline", action="store_true", help="also score the naive baseline")
    ap.add_argument("--errors", metavar="KIND", help="print errors of one kind instead of the scores: "
                    "missed-direct, wrong-source-direct, false-direct, missed, false")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--dates", action="store_true", help="also score the claim dates test set")
    args = ap.parse_args()
    split_dir = corpus(args.split)
    golds = gold(split_dir)
    founds, seconds = found_by_bulletin(split_dir)
    if args.errors:
        texts = {n: open(os.path.join(split_dir, "text", n), encoding="utf-8").read() for n in golds}
        errors(golds, founds, texts, args.errors, args.limit)
        return
    report(f"bulletin on PolNeAR {args.split}", score(golds, founds))
    n = len(os.listdir(os.path.join(split_dir, "text")))
    print(f"speed: {n} articles in {seconds:.3f} s = {n / seconds:.0f} articles/s (whole command, one process)")
    if args.dates:
        right, total, wrong = dates(os.path.dirname(split_dir))
        print(f"claim dates (bench/claim_dates.tsv): {right} of {total} resolved right = {right / total:.3f} [bar >= 0.95]")
        for w in wrong[:args.limit]:
            print("  wrong:", w)
    if args.baseline:
        report(f"naive baseline on PolNeAR {args.split}", score(golds, found_by_baseline(split_dir)))


if __name__ == "__main__":
    main()

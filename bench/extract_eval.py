#!/usr/bin/env python3
"""Extraction quality and speed (issue 3), on the shared corpora.

Runs `bulletin extract --batch` over each corpus and scores it the way the
field does (see ../shared/corpus/README.md):

  trafilatura  988 pages: whitespace-normalised substring match of every `with`
               and `without` snippet, summed over pages; F1 = 2TP/(2TP+FP+FN);
               title / date / author accuracy where the page has them.
  readability  129 pages: bag-of-tokens (\\w+) F1 of `text` against the text of
               expected.html, averaged over pages; metadata agreement.
  htmldate     798 pages: publication date, exact day; a wrong date is a false
               positive, no date a false negative.

With --speed it also times trafilatura (pip: trafilatura, lxml_html_clean) on the
same trafilatura pages in the same run, single-threaded, warm, and prints the
pages/s ratio.

Usage: bench/extract_eval.py [--corpus DIR] [--speed] [--only NAME] [--jobs N]
"""
import argparse, html, html.parser, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.environ.get("CARGO_TARGET_DIR", "/var/tmp/bulletin-target")
BIN = os.path.join(TARGET, "release", "bulletin")
SHARED = os.path.join(ROOT, "..", "shared", "corpus")
WS = re.compile(r"\s+")
TOKEN = re.compile(r"\w+", re.UNICODE)


def norm(s):
    return WS.sub(" ", s or "").strip()


def run_batch(directory, jobs=1):
    t0 = time.perf_counter()
    out = subprocess.run([BIN, "extract", "--batch", directory, "--jobs", str(jobs)],
                         check=True, capture_output=True)
    elapsed = time.perf_counter() - t0
    rows = {}
    for line in out.stdout.decode("utf-8").split("\n"):
        if not line:
            continue
        row = json.loads(line)
        rows[row["file"]] = row
    return rows, elapsed


def prepared_corpus():
    """Builds the release binary and unpacks the shared corpora; returns
    where they were unpacked."""
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "bulletin"], check=True, cwd=ROOT)
    corpus = os.path.join(TARGET, "corpus")
    subprocess.run([os.path.join(SHARED, "unpack.sh"), corpus], check=True, stdout=subprocess.DEVNULL)
    return corpus


def labelled_rows(name):
    """The rows of a hand-labelled TSV under bench/, comments and blank
    lines left out, each as its list of fields."""
    with open(os.path.join(ROOT, "bench", name), encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


def page_addresses(corpus):
    """Each corpus page's own address, where its corpus gives it."""
    found = {}
    for tests, index_file in (("trafilatura/tests", "evaldata.json"), ("htmldate/tests", "eval_default.json")):
        with open(os.path.join(corpus, tests, index_file), encoding="utf-8") as f:
            for url, item in json.load(f).items():
                for sub in ("eval", "cache"):
                    found[f"{tests}/{sub}/{item['file']}"] = url
    return found


def f1(tp, fp, fn):
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def find_page(base, name):
    for sub in ("eval", "cache"):
        p = os.path.join(base, sub, name)
        if os.path.exists(p):
            return sub + "/" + name
    return None


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
                        "\u2033": '"', "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                        "\u2015": "-", "\u2212": "-", "\u00ad": None})


def typographic(s):
    """The matching rule for titles: the same words in the same order, with
    letter case, quotation-mark and dash styles, the ellipsis character and
    character references not counted (the labels copy what a browser shows:
    CSS capitals, curly quotes)."""
    import unicodedata
    s = unicodedata.normalize("NFKC", html.unescape(s or "")).translate(QUOTES).replace("\u2026", "...")
    return norm(s).casefold()


AUTHOR_SEPARATORS = re.compile(r";|,| and | und | & ", re.IGNORECASE)
BYLINE_LABEL = re.compile(r"^(by|von|par|por)\s+", re.IGNORECASE)


def author_match(got, want):
    """The matching rule for authors: the same set of names, compared without
    letter case, whatever separates them (; , and und &), and without a
    leading "By"/"Von"/"Par"/"Por" label."""
    if isinstance(want, list):
        want = "; ".join(want)

    def names(s):
        return {BYLINE_LABEL.sub("", norm(x)).lower() for x in AUTHOR_SEPARATORS.split(s or "") if norm(x)}
    return names(got) == names(want)


def eval_trafilatura(corpus, jobs):
    base = os.path.join(corpus, "trafilatura", "tests")
    data = json.load(open(os.path.join(base, "evaldata.json"), encoding="utf-8"))
    rows, elapsed = run_batch(base, jobs)
    tp = fp = fn = tn = 0
    meta = {"title": [0, 0], "title (typography aside)": [0, 0], "date": [0, 0], "author": [0, 0]}
    pages = 0
    for url, item in data.items():
        rel = find_page(base, item["file"])
        row = rows.get(rel) if rel else None
        text = norm((row or {}).get("text", "")) if row and "error" not in row else ""
        pages += 1
        for snippet in item.get("with", []):
            if norm(snippet) in text:
                tp += 1
            else:
                fn += 1
        for snippet in item.get("without", []):
            if norm(snippet) in text:
                fp += 1
            else:
                tn += 1
        if not row:
            continue
        if item.get("title"):
            meta["title"][1] += 1
            meta["title"][0] += norm(row.get("title")) == norm(item["title"])
            meta["title (typography aside)"][1] += 1
            meta["title (typography aside)"][0] += typographic(row.get("title")) == typographic(item["title"])
        if item.get("date"):
            meta["date"][1] += 1
            meta["date"][0] += (row.get("published_at") or "")[:10] == item["date"]
        if item.get("author"):
            meta["author"][1] += 1
            meta["author"][0] += author_match("; ".join(a["name"] for a in row.get("authors", [])), item["author"])
    precision = tp / (tp + fp) if tp + fp else 0
    recall = tp / (tp + fn) if tp + fn else 0
    print(f"trafilatura eval: {pages} pages, body F1 {f1(tp, fp, fn):.3f} (precision {precision:.3f}, recall {recall:.3f}; "
          f"TP {tp} FP {fp} FN {fn}) [bar 0.94; trafilatura 2.2: 0.924]")
    for k, (ok, n) in meta.items():
        print(f"  {k} accuracy: {ok}/{n} = {ok / n:.3f}" if n else f"  {k}: none")
    print(f"  batch time: {elapsed:.2f} s for {len(rows)} files, {len(rows) / elapsed:.0f} pages/s with --jobs {jobs}")
    return data, base


class TextOf(html.parser.HTMLParser):
    BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "br", "figcaption", "section"}

    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")


def text_of_html(path):
    p = TextOf()
    p.feed(open(path, encoding="utf-8").read())
    return "".join(p.parts)


def token_f1(got, want):
    from collections import Counter
    g, w = Counter(TOKEN.findall(got)), Counter(TOKEN.findall(want))
    common = sum((g & w).values())
    if not g and not w:
        return 1.0, 1.0, 1.0
    p = common / sum(g.values()) if g else 0.0
    r = common / sum(w.values()) if w else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def eval_readability(corpus, jobs):
    base = os.path.join(corpus, "readability", "test", "test-pages")
    rows, elapsed = run_batch(base, jobs)
    scores, precisions, recalls = [], [], []
    meta = {k: [0, 0] for k in ("title", "byline", "excerpt", "siteName", "publishedTime")}
    worst = []
    for page in sorted(os.listdir(base)):
        row = rows.get(page + "/source.html")
        expected_path = os.path.join(base, page, "expected.html")
        if row is None or not os.path.exists(expected_path):
            continue
        f, p, r = token_f1(row.get("text", ""), text_of_html(expected_path))
        scores.append(f)
        precisions.append(p)
        recalls.append(r)
        worst.append((f, page))
        md = json.load(open(os.path.join(base, page, "expected-metadata.json"), encoding="utf-8"))
        got = {
            "title": row.get("title"),
            "byline": ", ".join(a["name"] for a in row.get("authors", [])),
            "excerpt": row.get("summary"),
            "siteName": row.get("site_name"),
            "publishedTime": (row.get("published_at") or "")[:10],
        }
        for k in meta:
            want = md.get(k)
            if not want:
                continue
            meta[k][1] += 1
            if k == "publishedTime":
                meta[k][0] += got[k] == want[:10]
            elif k == "byline":
                meta[k][0] += norm(got[k]).lower() in norm(want).lower() and bool(got[k])
            else:
                meta[k][0] += norm(got[k]).lower() == norm(want).lower()
    n = len(scores)
    print(f"readability corpus: {n} pages, mean token F1 {sum(scores) / n:.3f} (precision {sum(precisions) / n:.3f}, "
          f"recall {sum(recalls) / n:.3f}) [bar 0.97]")
    for k, (ok, total) in meta.items():
        print(f"  {k} agreement: {ok}/{total} = {ok / total:.3f}" if total else f"  {k}: none")
    worst.sort()
    print("  lowest: " + ", ".join(f"{p} {f:.2f}" for f, p in worst[:8]))


def eval_htmldate(corpus, jobs):
    base = os.path.join(corpus, "htmldate", "tests")
    data = json.load(open(os.path.join(base, "eval_default.json"), encoding="utf-8"))
    rows, elapsed = run_batch(base, jobs)
    tp = fp = fn = 0
    for url, item in data.items():
        rel = find_page(base, item["file"])
        row = rows.get(rel) if rel else None
        got = ((row or {}).get("published_at") or "")[:10]
        if not got:
            fn += 1
        elif got == item["date"]:
            tp += 1
        else:
            fp += 1
    precision = tp / (tp + fp) if tp + fp else 0
    recall = tp / (tp + fn) if tp + fn else 0
    print(f"htmldate eval: {len(data)} pages, date F1 {f1(tp, fp, fn):.3f} (precision {precision:.3f}, recall {recall:.3f}; "
          f"TP {tp} FP {fp} FN {fn}) [bar 0.93; htmldate fast 0.925]")


def speed(corpus):
    base = os.path.join(corpus, "trafilatura", "tests")
    data = json.load(open(os.path.join(base, "evaldata.json"), encoding="utf-8"))
    files = [find_page(base, v["file"]) for v in data.values()]
    files = [f for f in files if f]
    pages = [open(os.path.join(base, f), "rb").read() for f in files]
    scratch = os.path.join(TARGET, "speed-pages")
    os.makedirs(scratch, exist_ok=True)
    for name in os.listdir(scratch):
        os.remove(os.path.join(scratch, name))
    for i, f in enumerate(files):
        with open(os.path.join(scratch, f"{i:04d}.html"), "wb") as out:
            out.write(pages[i])
    run_batch(scratch, 1)  # warm the page cache
    ours = []
    for _ in range(3):
        rows, elapsed = run_batch(scratch, 1)
        ours.append(len(rows) / elapsed)
    rows, elapsed2 = run_batch(scratch, 2)
    jobs2 = len(rows) / elapsed2
    peak = subprocess.run(["/usr/bin/time", "-f", "%M", BIN, "extract", "--batch", scratch],
                          capture_output=True).stderr.decode().strip().splitlines()[-1]
    best = max(ours)
    print(f"bulletin: {best:.0f} pages/s single thread (best of 3: {', '.join(f'{x:.0f}' for x in ours)}); "
          f"{jobs2:.0f} pages/s with --jobs 2 ({jobs2 / best:.2f}x); peak RSS of --batch {int(peak) / 1024:.0f} MB")
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed (pip install trafilatura lxml_html_clean): no ratio")
        return
    for p in pages[:20]:
        trafilatura.extract(p)
    t0 = time.perf_counter()
    for p in pages:
        trafilatura.extract(p)
    theirs = len(pages) / (time.perf_counter() - t0)
    print(f"trafilatura {trafilatura.__version__}: {theirs:.1f} pages/s single thread, same pages, same run; "
          f"ratio {best / theirs:.1f}x [bar 20x]")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(TARGET, "corpus"))
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--only", choices=["trafilatura", "readability", "htmldate"])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "bulletin"], check=True, cwd=ROOT)
    subprocess.run([os.path.join(SHARED, "unpack.sh"), args.corpus], check=True, stdout=subprocess.DEVNULL)
    if args.only in (None, "trafilatura"):
        eval_trafilatura(args.corpus, args.jobs)
    if args.only in (None, "readability"):
        eval_readability(SHARED, args.jobs)
    if args.only in (None, "htmldate"):
        eval_htmldate(args.corpus, args.jobs)
    if args.speed:
        speed(args.corpus)


if __name__ == "__main__":
    main()

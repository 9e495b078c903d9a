#!/usr/bin/env python3
"""Universal Feed Parser's well-formed tests, translated mechanically (issue 5).

Each test file in ../shared/corpus/feeds/feedparser/tests/wellformed/ starts
with a comment holding `Expect: <python expression>` over feedparser's result.
This script runs `bulletin parse-feed` on the file, presents its JSON under
feedparser's names (and feedparser's aliases: description = summary,
tagline = subtitle, ...), and evaluates the expression unchanged.

A test is *applicable* when every key it reads is one `parse-feed` is meant
to produce (the issue's list: title, link, language, updated, authors,
entries with id, title, link, published, updated, authors, summary, content,
enclosures, media, categories; plus `bozo`). Tests about feedparser-only
details (`*_detail`, `*_parsed`, links, rights, generator, images, iTunes,
geo, chapters, HTTP headers) are counted apart, not hidden. The `sanitize`
folder has its own check (no script, handler or javascript: URL survives),
in crates/bulletin-extract/tests/sanitizer_corpus.rs.

Also: every ill-formed test must parse without a crash and be flagged
malformed.

Usage: bench/feedparser_expect.py [--show-failures N] [--folder NAME]
"""
import argparse, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.environ.get("CARGO_TARGET_DIR", "/var/tmp/bulletin-target")
BIN = os.path.join(TARGET, "release", "bulletin")
TESTS = os.path.join(ROOT, "..", "shared", "corpus", "feeds", "feedparser", "tests")

FEED_KEYS = {"title", "link", "language", "updated", "author", "authors", "subtitle",
             "description", "tagline", "info", "entries", "items"}
ENTRY_KEYS = {"id", "guid", "title", "link", "published", "issued", "updated", "modified",
              "author", "authors", "summary", "description", "content", "value",
              "tags", "categories", "term", "enclosures", "href", "type", "length", "name",
              "email", "media_content", "media_thumbnail", "url"}
SUPPORTED = FEED_KEYS | ENTRY_KEYS


class Missing(KeyError):
    pass


class Dict(dict):
    """feedparser's dict: missing keys raise; attribute access works too."""

    def __getitem__(self, key):
        if key not in self:
            raise Missing(key)
        return dict.__getitem__(self, key)

    __getattr__ = __getitem__

    def get(self, key, default=None):
        return dict.get(self, key, default)


def person(a):
    d = Dict()
    if a.get("name"):
        d["name"] = a["name"]
    if a.get("email"):
        d["email"] = a["email"]
    if a.get("url"):
        d["href"] = a["url"]
    return d


def put(d, key, value):
    if value is not None and value != []:
        d[key] = value


def translate(out):
    feed = Dict()
    put(feed, "title", out.get("title"))
    put(feed, "link", out.get("link"))
    put(feed, "language", out.get("language"))
    put(feed, "updated", out.get("updated"))
    for alias in ("subtitle", "description", "tagline", "info"):
        put(feed, alias, out.get("description"))
    authors = [person(a) for a in out.get("authors", [])]
    put(feed, "authors", authors)
    if authors and "name" in authors[0]:
        feed["author"] = authors[0]["name"]
    entries = []
    for e in out.get("entries", []):
        d = Dict()
        put(d, "id", e.get("id"))
        put(d, "guid", e.get("id"))
        put(d, "title", e.get("title"))
        put(d, "link", e.get("link"))
        put(d, "published", e.get("published"))
        put(d, "issued", e.get("published"))
        put(d, "updated", e.get("updated"))
        put(d, "modified", e.get("updated"))
        authors = [person(a) for a in e.get("authors", [])]
        put(d, "authors", authors)
        if authors and "name" in authors[0]:
            d["author"] = authors[0]["name"]
        summary = e.get("summary")
        content = e.get("content")
        put(d, "summary", summary if summary is not None else content)
        put(d, "description", summary if summary is not None else content)
        if content is not None:
            d["content"] = [Dict(value=content)]
        tags = [Dict(term=c) for c in e.get("categories", [])]
        put(d, "tags", tags)
        put(d, "categories", [(None, c) for c in e.get("categories", [])])
        enclosures = [Dict({k: v for k, v in (("href", x.get("url")), ("type", x.get("mime_type")),
                                             ("length", str(x["length"]) if x.get("length") is not None else None))
                            if v is not None}) for x in e.get("enclosures", [])]
        put(d, "enclosures", enclosures)
        entries.append(d)
    return Dict(bozo=1 if out.get("malformed") else 0, feed=feed, entries=entries,
                items=entries, encoding="utf-8", version=out.get("kind", ""))


def expectation(path):
    with open(path, "rb") as f:
        head = f.read(4096).decode("utf-8", "replace")
    m = re.search(r"Expect:\s*(.*?)\s*(?:-->|\*/|\n\s*\n)", head, re.S)
    headers = re.findall(r"Header:\s*(.*)", head)
    return (m.group(1).strip() if m else None), headers


def keys_read(expr):
    return set(re.findall(r"\[\s*['\"]([A-Za-z_:]+)['\"]\s*\]", expr)) | \
        set(re.findall(r"\.(?!get\b)([a-z_]+)\b", re.sub(r"(['\"]).*?\1", "", expr)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--show-failures", type=int, default=0)
    ap.add_argument("--folder")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "bulletin"], check=True, cwd=ROOT)

    wellformed = os.path.join(TESTS, "wellformed")
    passed = failed = skipped = 0
    by_folder = {}
    failures = []
    for folder in sorted(os.listdir(wellformed)):
        if folder == "sanitize" or (args.folder and folder != args.folder):
            continue
        for name in sorted(os.listdir(os.path.join(wellformed, folder))):
            path = os.path.join(wellformed, folder, name)
            expr, headers = expectation(path)
            if not expr:
                continue
            stats = by_folder.setdefault(folder, [0, 0, 0])
            if headers or not keys_read(expr) <= SUPPORTED | {"bozo", "feed", "entries", "items",
                                                                 "encoding", "version", "get"}:
                skipped += 1
                stats[2] += 1
                continue
            run = subprocess.run([BIN, "parse-feed", path], capture_output=True)
            ok = False
            why = ""
            if run.returncode == 0:
                try:
                    result = translate(json.loads(run.stdout))
                    scope = dict(result)
                    scope.update(u=str)
                    ok = bool(eval(expr, {"__builtins__": {"len": len, "str": str, "int": int}}, scope))
                    if not ok:
                        why = "false"
                except Missing as e:
                    why = f"missing {e}"
                except Exception as e:  # an expression feedparser's own model would answer
                    why = f"{type(e).__name__}: {e}"
            else:
                why = run.stderr.decode("utf-8", "replace").strip()[:120]
            if ok:
                passed += 1
                stats[0] += 1
            else:
                failed += 1
                stats[1] += 1
                failures.append((f"{folder}/{name}", expr[:150], why))
    applicable = passed + failed
    print(f"feedparser well-formed (sanitize apart): {applicable + skipped} tests with Expect, "
          f"{applicable} applicable, {passed} pass = {passed / max(applicable, 1):.1%} [bar 90%]; "
          f"{skipped} read feedparser-only details and are not applicable")
    for folder, (p, f, s) in sorted(by_folder.items()):
        print(f"  {folder:18} pass {p:4}  fail {f:4}  n/a {s:4}")
    for path, expr, why in failures[:args.show_failures]:
        print(f"FAIL {path}: {expr}  -> {why}")

    # Ill-formed tests: none may crash; those whose Expect says `bozo` must be
    # flagged malformed (a refusal counts), those that say `not bozo` must not.
    illformed = os.path.join(TESTS, "illformed")
    total = crashed = must_flag = flagged = must_not = clean = 0
    for dirpath, _, files in os.walk(illformed):
        for name in sorted(files):
            if not name.endswith(".xml"):
                continue
            path = os.path.join(dirpath, name)
            total += 1
            expr, _ = expectation(path)
            run = subprocess.run([BIN, "parse-feed", path], capture_output=True)
            if run.returncode not in (0, 1) or b"panicked" in run.stderr:
                crashed += 1
                print(f"CRASH illformed/{os.path.relpath(path, illformed)}")
                continue
            is_flagged = run.returncode == 1 or bool(json.loads(run.stdout).get("malformed"))
            expr = (expr or "").strip()
            if expr.startswith("not bozo"):
                must_not += 1
                clean += not is_flagged
            elif expr.startswith("bozo"):
                must_flag += 1
                flagged += is_flagged
                if not is_flagged and args.show_failures:
                    print(f"NOT FLAGGED illformed/{os.path.relpath(path, illformed)}")
    print(f"feedparser ill-formed: {total} tests, {crashed} crashed; {flagged} of {must_flag} that expect "
          f"bozo flagged malformed; {clean} of {must_not} that expect not bozo left unflagged; "
          f"{total - must_flag - must_not} expect neither (no crash is the check) [bar: no crash, all flagged]")


if __name__ == "__main__":
    main()

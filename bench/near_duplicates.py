#!/usr/bin/env python3
"""Near-duplicate detection (issue 15), on a set built from real news pages.

The set: the bodies Bulletin extracts from the trafilatura evaluation pages
(`../shared/corpus/trafilatura-eval.tar.gz`, real news and blog pages from many
sites), those of 150 words or more. For a sample of them (seeded), versions a
republisher or the source itself would make:
  boilerplate   lines added before and after (share bars, newsletter, copyright)
  headline      the first line (the headline or lead) replaced
  edits5        5% of the words replaced, inserted or deleted
  paragraph+    a paragraph of another article added
  paragraph-    a paragraph removed (bodies with three or more)
  combined      boilerplate, 5% edits and a paragraph removed or added
Each version is a body of the article's group; the URL plays no part (the store
already finds the same canonical URL). Negatives are every other pair: other
articles, including those of the same site and the same days, and the added
paragraphs' own articles. Then the Rust scorer
(crates/bulletin-connect/examples/near_duplicate_eval.rs) finds pairs as the
pipeline does (LSH band keys, then signature similarity) and prints precision
and recall over all pairs.

Usage: bench/near_duplicates.py [--articles N] [--seed S]
"""
import argparse, json, os, random, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = os.environ.get("CARGO_TARGET_DIR", "/var/tmp/bulletin-target")
BIN = os.path.join(TARGET, "release", "bulletin")
SHARED = os.path.join(ROOT, "..", "shared", "corpus")

BOILERPLATE = [
    "Share this article on Facebook, Twitter and LinkedIn.",
    "Sign up for our daily newsletter to get the latest headlines in your inbox.",
    "Copyright 2024 The Daily Courier. All rights reserved.",
    "This article was originally published by a partner news agency.",
    "Follow us on social media for more updates.",
    "Advertisement",
    "Read more: the week's top stories in one place.",
    "Reporting by staff writers; editing by the news desk.",
]


def bodies():
    corpus = os.path.join(TARGET, "corpus")
    pages = os.path.join(corpus, "trafilatura", "tests")
    if not os.path.isdir(pages):
        os.makedirs(corpus, exist_ok=True)
        subprocess.run(["bash", os.path.join(SHARED, "unpack.sh"), corpus], check=True)
    out = subprocess.run([BIN, "extract", "--batch", pages, "--jobs", "2"],
                         capture_output=True, text=True, check=True).stdout
    docs = []
    for line in out.split("\n"):
        if not line.strip():
            continue
        a = json.loads(line)
        text = a.get("text") or ""
        if len(text.split()) >= 150:
            docs.append((a["file"], text))
    return sorted(docs)


# Pages of the corpus that are the same article under two names, found by
# reading the pairs this set first counted as false positives: the same
# press release on two sites, and the same sample text saved twice. (Pages
# whose bodies are identical are grouped without a list.)
SAME_ARTICLE = [
    ("eval/djz.de-amoklauf.html", "eval/jagdverband.de-erschuettert.html"),
    ("resources/http_sample.html", "resources/httpbin_sample.html"),
]


def groups_of(docs):
    """Each body's group: its own name, or the first name of a body with the
    same words (the same page saved twice), or a pair above."""
    group, seen = {}, {}
    for name, text in docs:
        key = " ".join(text.split())
        group[name] = seen.setdefault(key, name)
    for a, b in SAME_ARTICLE:
        if a in group and b in group:
            group[b] = group[a]
    return group


def short_paragraph(text, rng):
    """A paragraph of another article to add: one of 120 words at most, so
    that what is added is a paragraph, not most of another article."""
    paras = [p for p in paragraphs(text) if len(p.split()) <= 120] or ["An added paragraph."]
    return rng.choice(paras)


def edit_words(text, share, rng):
    words = text.split(" ")
    vocab = [w for w in words if w.isalpha()] or ["word"]
    out = []
    for w in words:
        if rng.random() < share:
            op = rng.choice(["replace", "insert", "delete"])
            if op == "replace":
                out.append(rng.choice(vocab))
            elif op == "insert":
                out.extend([w, rng.choice(vocab)])
            continue
        out.append(w)
    return " ".join(out)


def paragraphs(text):
    return [p for p in text.split("\n\n") if p.strip()]


def versions(text, other, rng):
    paras = paragraphs(text)
    boiler = lambda t: "\n\n".join(rng.sample(BOILERPLATE, 2) + [t] + rng.sample(BOILERPLATE, 2))
    out = {
        "boilerplate": boiler(text),
        "headline": "\n\n".join(["A different headline for the same story, as another outlet wrote it"] + paras[1:]),
        "edits5": edit_words(text, 0.05, rng),
        "paragraph+": "\n\n".join(paras[:len(paras) // 2] + [short_paragraph(other, rng)] + paras[len(paras) // 2:]),
    }
    if len(paras) >= 3:
        drop = rng.randrange(len(paras))
        out["paragraph-"] = "\n\n".join(p for i, p in enumerate(paras) if i != drop)
    edited = paragraphs(edit_words(text, 0.05, rng))
    if len(edited) >= 3 and rng.random() < 0.5:
        edited.pop(rng.randrange(len(edited)))
    else:
        edited.insert(len(edited) // 2, short_paragraph(other, rng))
    out["combined"] = boiler("\n\n".join(edited))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "bulletin", "-p", "bulletin-connect",
                    "--example", "near_duplicate_eval"], check=True, cwd=ROOT)
    docs = bodies()
    rng = random.Random(args.seed)
    sample = rng.sample(docs, min(args.articles, len(docs)))
    path = os.path.join(TARGET, "near-duplicates.jsonl")
    kinds = {}
    group = groups_of(docs)
    with open(path, "w") as f:
        # Every extracted body is in the set once (the negatives).
        for name, text in docs:
            f.write(json.dumps({"id": name, "group": group[name], "text": text}) + "\n")
        for name, text in sample:
            other = rng.choice(docs)[1]
            for kind, version in versions(text, other, rng).items():
                kinds[kind] = kinds.get(kind, 0) + 1
                f.write(json.dumps({"id": f"{name}#{kind}", "group": group[name], "text": version}) + "\n")
    print(f"set: {len(docs)} extracted bodies of 150+ words ({len(docs) - len(set(group.values()))} the same article as another); "
          f"{len(sample)} of them with versions: "
          + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    example = os.path.join(TARGET, "release", "examples", "near_duplicate_eval")
    sys.stdout.flush()
    subprocess.run([example, path], check=True)


if __name__ == "__main__":
    main()

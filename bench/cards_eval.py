#!/usr/bin/env python3
"""Author cards (issue 18): each page of bench/cards.tsv, a real page from the
shared corpora with an "about the author" box labelled by hand, is read whole
by `bulletin extract` with its own address as <base>. Two figures:

- fields right: for each card, its name, role, biography and avatar. A field
  counts when the label gives it or Bulletin returns it (a role made up where
  the card prints none is wrong). The name is right when an author of the
  article bears it (letter case aside); the other fields are read from that
  author: the role equal, the biography beginning with the labelled words
  (whitespace, soft hyphens and case aside), the avatar one of the labelled
  addresses resolved against the page's.
- card text in the body: the page's card is found by the labelled class or id
  token; any run of 8 of its words (\\w+) found in the article's `text`, and
  nowhere in the page outside the card, is a leak.

Usage: bench/cards_eval.py [--errors]
"""
import argparse, html.parser, os, re, sys, tempfile, unicodedata
from urllib.parse import urljoin

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extract_eval import SHARED, labelled_rows, page_addresses, prepared_corpus, run_batch  # noqa: E402

FIELDS = ("name", "role", "bio", "avatar")
RUN = 8
WORD = re.compile(r"\w+", re.UNICODE)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class CardText(html.parser.HTMLParser):
    """The text of the first element whose class or id holds `token`
    (`parts`), and the page's text outside it (`outside`)."""

    def __init__(self, token):
        super().__init__(convert_charrefs=True)
        self.token = token
        self.tag = None
        self.depth = 0
        self.skip = 0
        self.done = False
        self.parts = []
        self.outside = []

    def handle_starttag(self, tag, attrs):
        if self.done or tag in VOID:
            return
        if self.tag is None:
            a = dict(attrs)
            tokens = f"{a.get('class') or ''} {a.get('id') or ''}".split()
            if self.token in tokens:
                self.tag, self.depth = tag, 1
            return
        if tag == self.tag:
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if self.tag is None or self.done:
            return
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                self.done = True

    def handle_data(self, data):
        if self.tag is not None and not self.done:
            if not self.skip:
                self.parts.append(data)
        else:
            self.outside.append(data)


def clean(s):
    s = unicodedata.normalize("NFC", (s or "").replace("\u00ad", ""))
    return " ".join(s.split()).casefold()


def words(s):
    return [w.casefold() for w in WORD.findall(unicodedata.normalize("NFC", (s or "").replace("\u00ad", "")))]


def with_base(raw, address):
    """The page's bytes with <base href> first in its head."""
    if not address:
        return raw
    tag = f'<base href="{html.escape(address)}">'.encode()
    m = re.search(rb"<head\b[^>]*>", raw, re.I)
    if m:
        return raw[: m.end()] + tag + raw[m.end():]
    return tag + raw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    corpus = prepared_corpus()
    rows = [
        (path, token, {"name": name, "role": role, "bio": bio, "avatar": avatar})
        for path, token, name, role, bio, avatar in labelled_rows("cards.tsv")
    ]
    addresses = page_addresses(corpus)
    pages = {}
    with tempfile.TemporaryDirectory() as scratch:
        for n, (path, _, _) in enumerate(rows):
            base = SHARED if path.startswith("readability/") else corpus
            with open(os.path.join(base, path), "rb") as f:
                raw = f.read()
            pages[n] = raw
            with open(os.path.join(scratch, f"{n:03d}.html"), "wb") as out:
                out.write(with_base(raw, addresses.get(path)))
        got, _ = run_batch(scratch)

    counted = {f: 0 for f in FIELDS}
    right = {f: 0 for f in FIELDS}
    leaks = []
    for n, (path, token, want) in enumerate(rows):
        article = got.get(f"{n:03d}.html", {})
        authors = article.get("authors") or []
        author = next((a for a in authors if clean(a.get("name")) == clean(want["name"])), None)
        page_url = addresses.get(path, "")
        have = {
            "name": author.get("name") if author else None,
            "role": (author or {}).get("role"),
            "bio": (author or {}).get("bio"),
            "avatar": (author or {}).get("avatar_url"),
        }
        verdicts = {
            "name": author is not None,
            "role": clean(have["role"]).rstrip(".") == clean(want["role"]).rstrip("."),
            "bio": clean(have["bio"]).startswith(clean(want["bio"])) if want["bio"] else not have["bio"],
            "avatar": (have["avatar"] or "") in ([urljoin(page_url, a) for a in want["avatar"].split()] or [""]),
        }
        wrong = []
        for field in FIELDS:
            if field == "name" or want[field] or have[field]:
                counted[field] += 1
                right[field] += verdicts[field]
                if not verdicts[field]:
                    wrong.append(field)
        # Card text in the body.
        parser = CardText(token)
        parser.feed(pages[n].decode("utf-8", errors="replace"))
        card = words(" ".join(parser.parts))
        body = " ".join(words(article.get("text")))
        outside = " ".join(words(" ".join(parser.outside)))
        leaked = None
        for i in range(0, max(len(card) - RUN + 1, 0)):
            run = " ".join(card[i : i + RUN])
            # Words the article itself also says (a title the card lists and
            # the text links to) are not the card's.
            if f" {run} " in f" {body} " and f" {run} " not in f" {outside} ":
                leaked = run
                break
        if leaked:
            leaks.append((path, leaked))
        if args.errors and (wrong or leaked):
            print(f"{path} [{token}]")
            for field in wrong:
                print(f"  {field}: want {want[field]!r}\n  {' ' * len(field)}  got  {have[field]!r}")
            if not author and authors:
                print(f"  authors: {[a.get('name') for a in authors]}")
            if leaked:
                print(f"  card text in body: {leaked!r}")
    total_counted = sum(counted.values())
    total_right = sum(right.values())
    parts = ", ".join(f"{f} {right[f]}/{counted[f]}" for f in FIELDS)
    print(f"author cards: {len(rows)} pages; fields right {total_right}/{total_counted} = "
          f"{total_right / total_counted:.3f} [bar >= 0.90] ({parts}); "
          f"pages with card text in the body: {len(leaks)} [bar 0]")


if __name__ == "__main__":
    main()

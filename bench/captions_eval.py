#!/usr/bin/env python3
"""Captions and credits (issue 18): each figure of bench/figures.tsv, labelled by
hand from the shared corpora, is cut out of its page whole, put alone in a short
article, and read by `bulletin extract`; the picture's caption and credit must
be the labelled ones (whitespace collapsed, soft hyphens and a trailing
separator dropped). Prints the share right for captions, credits and both, and
with --errors every miss.

Usage: bench/captions_eval.py [--errors]
"""
import argparse, html.parser, os, sys, tempfile, unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extract_eval import SHARED, labelled_rows, norm, page_addresses, prepared_corpus, run_batch  # noqa: E402

FILLER = "".join(
    f"<p>Paragraph {n} of the article around the picture, long enough to be read as its body text "
    f"by any extractor, with a few more words to make it a real paragraph of prose.</p>"
    for n in range(1, 5)
)


class Figures(html.parser.HTMLParser):
    """The outermost <figure> elements of a page, as (start, end) offsets."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        # HTMLParser counts lines at "\n" only.
        self.lines = [0]
        for line in text.split("\n"):
            self.lines.append(self.lines[-1] + len(line) + 1)
        self.depth = 0
        self.start = None
        self.found = []

    def at(self):
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            if self.depth == 0:
                self.start = self.at()
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "figure" and self.depth > 0:
            self.depth -= 1
            if self.depth == 0:
                self.found.append((self.start, self.at() + len("</figure>")))


def clean(s):
    s = unicodedata.normalize("NFC", (s or "").replace("\u00ad", ""))
    return norm(s).rstrip(" -–—|").strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    corpus = prepared_corpus()
    rows = [(path, int(index), caption, credit) for path, index, caption, credit in labelled_rows("figures.tsv")]
    # Each page's own address, where its corpus gives it, as a <base>: in use a
    # page is always read with its URL, and protocol-relative pictures
    # ("//img.example/a.jpg") need one.
    addresses = page_addresses(corpus)
    with tempfile.TemporaryDirectory() as pages:
        for n, (path, index, _, _) in enumerate(rows):
            base = SHARED if path.startswith("readability/") else corpus
            with open(os.path.join(base, path), encoding="utf-8", errors="replace") as f:
                text = f.read()
            parser = Figures(text)
            parser.feed(text)
            start, end = parser.found[index]
            base_tag = f'<base href="{html.escape(addresses[path])}">' if path in addresses else ""
            page = (f"<!doctype html><html><head><meta charset=\"utf-8\">{base_tag}<title>A figure</title></head>"
                    "<body><article><h1>A figure from the corpora</h1>"
                    f"{text[start:end]}{FILLER}</article></body></html>")
            with open(os.path.join(pages, f"{n:03d}.html"), "w", encoding="utf-8") as out:
                out.write(page)
        got, _ = run_batch(pages)
    right = {"caption": 0, "credit": 0, "both": 0}
    for n, (path, index, caption, credit) in enumerate(rows):
        image = got.get(f"{n:03d}.html", {}).get("lead_image") or {}
        have = (clean(image.get("caption")), clean(image.get("credit")))
        want = (clean(caption), clean(credit))
        right["caption"] += have[0] == want[0]
        right["credit"] += have[1] == want[1]
        right["both"] += have == want
        if args.errors and have != want:
            print(f"{path} #{index}\n  want {want}\n  got  {have}")
    total = len(rows)
    print(f"captions and credits: {total} figures; caption right {right['caption']}/{total} = "
          f"{right['caption'] / total:.3f}, credit right {right['credit']}/{total} = "
          f"{right['credit'] / total:.3f}, both {right['both']}/{total} = {right['both'] / total:.3f} "
          f"[bar >= 0.95]")


if __name__ == "__main__":
    main()

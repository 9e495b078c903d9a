#!/usr/bin/env python3
"""Writes Bulletin's offline demo site (feeds and article pages) into this folder.

All text is written for the project. Run from anywhere; output is deterministic.
Host: https://demo.bulletin.example/ (the .example domain never resolves, so
Bulletin serves these files itself when it sees that host).
"""
import html, json, os
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "https://demo.bulletin.example"
T0 = datetime(2025, 5, 25, 18, 0, tzinfo=timezone.utc)

AUTHORS = {
    "lena": dict(name="Lena Okafor", role="Senior News Editor", bio="Lena covers climate and energy policy from Brussels. Before that she reported from Lagos and Accra.", avatar=HOST + "/img/lena.svg"),
    "tomas": dict(name="Tomás Rivera", role="Economics Correspondent", bio="Tomás writes about central banks, trade and the cost of living.", avatar=HOST + "/img/tomas.svg"),
    "mei": dict(name="Mei Tanaka", role="Science Reporter", bio="Mei reports on space, physics and the people doing research.", avatar=HOST + "/img/mei.svg"),
}

PARA = [
    "The decision came after a long night of talks, with delegates leaving the building shortly before dawn and promising to publish the full text within days.",
    "Officials said the measures would be phased in over two years, giving regional governments time to adjust their budgets and hire the staff they need.",
    "Critics argued that the plan does not go far enough, pointing to earlier commitments that were announced with fanfare and then quietly delayed.",
    "Analysts expect markets to react cautiously, since several details, including how the programme will be financed, remain to be settled.",
    "Residents interviewed on Sunday were divided: some welcomed the news, while others said they had heard similar promises before.",
    "A spokesperson declined to comment on the timetable but said that a public consultation would open in the coming weeks.",
    "The agreement also sets up an independent panel that will report every year on progress, a concession won by smaller member states.",
    "Independent experts said the figures looked plausible but warned that the hardest part, delivery, was still ahead.",
]

STORIES = [
    # (slug, title, author, category, page?)  page=True: feed carries a summary only; the article lives on a page
    ("climate-deal", "Ministers agree on a climate package after all-night talks", "lena", "Climate", True),
    ("rates-hold", "Central bank holds rates steady and signals a cut in autumn", "tomas", "Business", True),
    ("lunar-lander", "Lunar lander sends first pictures from the far side", "mei", "Science", True),
    ("rail-expansion", "City council approves long-debated rail expansion", "lena", "Politics", False),
    ("heatwave", "Southern Europe braces for an early heatwave", "lena", "Climate", False),
    ("chip-plant", "Chipmaker picks a site for its new European plant", "tomas", "Business", False),
    ("museum", "A museum returns artefacts to their country of origin", "mei", "Culture", False),
    ("water", "Reservoir levels recover after a wet spring", "lena", "Climate", False),
    ("startup", "Battery start-up raises money to build its first factory", "tomas", "Business", False),
    ("telescope", "New telescope catches a comet on its way past the sun", "mei", "Science", False),
    ("housing", "Parliament debates a housing reform bill", "tomas", "Politics", False),
    ("marathon", "Record field expected at this year's city marathon", "lena", "Sports", False),
    ("vaccine", "Health agency widens access to a new vaccine", "mei", "Health", False),
    ("ports", "Ports report shorter queues as shipping recovers", "tomas", "Business", False),
    ("festival", "Film festival opens with a debut from a first-time director", "mei", "Culture", False),
    ("forest", "Volunteers plant a million trees in a single weekend", "lena", "Climate", False),
]

UPDATES = [
    "Delegates are still in the room. A spokesperson says a statement is expected “within the hour”.",
    "The central bank's statement is out: rates unchanged at 3.25%, with two members voting for a cut.",
    "“We have pictures,” mission control said at 16:42 UTC, to applause in the control room.",
    "Trains between the airport and the centre are running again after a power fault this morning.",
    "Correction: an earlier update gave the wrong date for the consultation. It opens on 2 June.",
    "The heat warning now covers three more regions. Officials advise avoiding the midday sun.",
    "Polls have closed in the regional election; first results are expected after midnight.",
    "The marathon route has been changed to avoid roadworks near the old harbour.",
]


def body(i, n=6, figure=None):
    parts = []
    for k in range(n):
        if k == 1 and figure:
            parts.append(figure)
        if k == 3:
            parts.append("<h2>What happens next</h2>")
        parts.append("<p>%s</p>" % html.escape(PARA[(i + k) % len(PARA)]))
    if i % 3 == 0:
        parts.append("<blockquote><p>%s</p></blockquote>" % html.escape("This is a step, not the finish line."))
    return "\n".join(parts)


def figure(slug, caption, credit):
    return ('<figure><img src="%s/img/%s.svg" alt="%s" width="1200" height="675">'
            '<figcaption>%s (Photo by %s)</figcaption></figure>' % (HOST, slug, html.escape(caption), html.escape(caption), html.escape(credit)))


def rfc822(d):
    return d.strftime("%a, %d %b %Y %H:%M:%S +0000")


def iso(d):
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def write(path, text):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


def article_page(i, slug, title, author_key, cat, when):
    a = AUTHORS[author_key]
    caption = "%s: the scene on Sunday." % cat
    credit = "Sam Lee / Demo Photo Agency"
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
        "datePublished": iso(when), "dateModified": iso(when + timedelta(minutes=40)),
        "inLanguage": "en", "description": PARA[i % len(PARA)],
        "image": {"@type": "ImageObject", "url": "%s/img/%s.svg" % (HOST, slug), "caption": caption, "creditText": credit},
        "author": [{"@type": "Person", "name": a["name"], "jobTitle": a["role"], "description": a["bio"],
                    "image": a["avatar"], "url": "%s/people/%s" % (HOST, author_key)}],
        "publisher": {"@type": "Organization", "name": "The Demo Times"},
    }
    page = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{t} | The Demo Times</title>
<meta property="og:site_name" content="The Demo Times">
<meta property="og:title" content="{t}">
<link rel="canonical" href="{host}/{cat_l}/{slug}">
<script type="application/ld+json">{ld}</script>
</head><body>
<nav class="site-nav"><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<main><article>
<h1>{t}</h1>
<div class="byline">By {name} · 3 min read</div>
<div class="article-body">
{body}
</div>
<div class="share-tools"><a href="#">Share</a> <a href="#">Copy link</a></div>
<aside class="author-card"><img src="{avatar}" alt=""><p><b>{name}</b>, {role}. {bio}</p></aside>
</article></main>
<footer><p>© The Demo Times. Written for Bulletin's offline demo.</p></footer>
</body></html>
""".format(t=html.escape(title), host=HOST, cat_l=cat.lower(), slug=slug, ld=json.dumps(ld, ensure_ascii=False),
           name=html.escape(a["name"]), role=html.escape(a["role"]), bio=html.escape(a["bio"]), avatar=a["avatar"],
           body=body(i, 8, figure(slug, caption, credit)))
    write("articles/%s.html" % slug, page)


PALETTE = ["#1d4e89", "#00798c", "#d1495b", "#edae49", "#66a182", "#2e4057", "#8d96a3", "#6a4c93"]


def svg_picture(name, label, i, w=1200, h=675):
    c1, c2 = PALETTE[i % len(PALETTE)], PALETTE[(i + 3) % len(PALETTE)]
    write("img/%s.svg" % name, """<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{c1}"/><stop offset="1" stop-color="{c2}"/></linearGradient></defs>
<rect width="{w}" height="{h}" fill="url(#g)"/>
<circle cx="{cx}" cy="{cy}" r="{r}" fill="#fff" fill-opacity="0.18"/>
<text x="50%" y="54%" font-family="sans-serif" font-size="{fs}" fill="#fff" text-anchor="middle">{label}</text>
</svg>
""".format(w=w, h=h, c1=c1, c2=c2, cx=w * 0.7, cy=h * 0.35, r=h * 0.3, fs=h // 9, label=html.escape(label)))


def main():
    for i, (slug, title, ak, cat, on_page) in enumerate(STORIES):
        svg_picture(slug, cat, i)
    for i, (key, a) in enumerate(AUTHORS.items()):
        svg_picture(key, "".join(w[0] for w in a["name"].split()), i + 2, 160, 160)
    rss_items, atom_entries = [], []
    for i, (slug, title, ak, cat, on_page) in enumerate(STORIES):
        when = T0 - timedelta(hours=3 * i + 1)
        link = "%s/%s/%s" % (HOST, cat.lower(), slug)
        a = AUTHORS[ak]
        if on_page:
            article_page(i, slug, title, ak, cat, when)
        if i % 2 == 0:
            content = "" if on_page else "<content:encoded><![CDATA[%s]]></content:encoded>" % body(i, 6, figure(slug, "%s in pictures." % cat, "Demo Photo Agency"))
            rss_items.append("""<item>
<title>{t}</title>
<link>{link}?utm_source=rss&amp;utm_medium=feed</link>
<guid isPermaLink="false">demo-{slug}</guid>
<pubDate>{d}</pubDate>
<dc:creator>{a}</dc:creator>
<category>{cat}</category>
<description>{s}</description>
{c}
</item>""".format(t=html.escape(title), link=link, slug=slug, d=rfc822(when), a=html.escape(a["name"]), cat=cat,
                  s=html.escape(PARA[i % len(PARA)]), c=content))
        else:
            atom_entries.append("""<entry>
<title>{t}</title>
<link rel="alternate" href="{link}"/>
<id>tag:demo.bulletin.example,2025:{slug}</id>
<published>{d}</published>
<updated>{d}</updated>
<author><name>{a}</name></author>
<category term="{cat}"/>
<summary>{s}</summary>
<content type="html">{c}</content>
</entry>""".format(t=html.escape(title), link=link, slug=slug, d=iso(when), a=html.escape(a["name"]), cat=cat,
                   s=html.escape(PARA[i % len(PARA)]), c=html.escape(body(i, 5))))
    write("feeds/world.xml", """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>The Demo Times: World</title>
<link>{host}/</link>
<description>Bulletin's offline demo: world news</description>
<language>en</language>
<ttl>60</ttl>
{items}
</channel>
</rss>
""".format(host=HOST, items="\n".join(rss_items)))
    write("feeds/business.atom", """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>The Demo Ledger</title>
<link rel="alternate" href="{host}/ledger/"/>
<id>tag:demo.bulletin.example,2025:ledger</id>
<updated>{d}</updated>
{entries}
</feed>
""".format(host=HOST, d=iso(T0), entries="\n".join(atom_entries)))
    items = []
    for i, text in enumerate(UPDATES):
        when = T0 - timedelta(minutes=50 * i + 20)
        items.append({"id": "live-%d" % i, "url": "%s/live/update-%d" % (HOST, i), "content_text": text,
                      "date_published": iso(when), "authors": [{"name": AUTHORS[["lena", "tomas", "mei"][i % 3]]["name"]}]})
    write("feeds/live.json", json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Demo Live Desk",
                                         "home_page_url": HOST + "/live", "feed_url": HOST + "/feeds/live.json",
                                         "items": items}, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()

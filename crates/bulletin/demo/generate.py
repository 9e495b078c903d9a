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

# Each article's own opening paragraph: articles share at most one
# paragraph of PARA, so no two of them are near-duplicates of each other.
LEADS = {
 "climate-deal": "Environment ministers from twenty-seven countries agreed in Brussels on Sunday to cut industrial emissions by half within a decade, after negotiators from Poland and Spain dropped their last objections to a fund that will pay coal regions to retrain workers. The package still needs a vote in parliament, where the Greens have called the targets timid and farmers' groups have promised protests outside the building.",
 "rates-hold": "The central bank left its main interest rate at 3.25 percent on Thursday for a fourth meeting in a row, but its governor told reporters in Frankfurt that inflation had cooled enough for a cut in the autumn to be likely. Mortgage lenders had expected the pause; shares in house builders rose and the currency slipped against the dollar as traders moved their bets on the first cut forward to September.",
 "lunar-lander": "A robotic lander built by a consortium of university laboratories touched down in a crater on the far side of the Moon and relayed its first photographs through an orbiting satellite, showing grey boulders under a black sky. Engineers in Toulouse cheered when the images arrived; the craft will spend two weeks drilling into the regolith before the lunar night freezes its batteries.",
 "rail-expansion": "After eleven years of studies and three changes of mayor, the city council voted thirty-one to twelve to extend the tram network to the eastern suburbs and the new hospital. Construction of the six stations is due to start next spring, and the transport authority says the first passengers could ride in 2029, if the national government confirms its promised share of the cost.",
 "heatwave": "Meteorologists in Madrid, Rome and Athens warned that temperatures could pass forty degrees by Wednesday, weeks earlier than usual, as a mass of hot air drifts north from the Sahara. Hospitals cancelled planned operations to free beds, several cities opened cooling centres in libraries, and fire brigades on the islands moved crews to the hills where dry scrub burned last summer.",
 "chip-plant": "The chipmaker chose a former airfield near Dresden for its first European factory, a plant that will employ three thousand people and make processors for cars and industrial robots. Saxony's premier called it the largest investment in the region's history; the company expects a subsidy from Berlin to cover roughly a third of the ten-billion-euro cost.",
 "museum": "The national museum handed back thirty-five bronze sculptures to a delegation from Benin City in a ceremony attended by the culture minister and the Oba's representatives. The pieces were taken by soldiers in 1897; curators spent four years tracing their route through auction houses, and some will travel on to a new museum being built near the royal palace.",
 "water": "Reservoirs in the northern hills are at ninety-two percent of capacity after the wettest April and May in thirty years, the water company said, lifting the hosepipe ban it imposed last August. Engineers at the Kielder dam are still releasing water to protect the spillway, and farmers downstream say their fields, flooded in March, are only now dry enough to plant.",
 "startup": "A battery start-up founded by two former researchers from Uppsala raised two hundred million euros from pension funds and a carmaker to build its first factory, which will make sodium cells that need no lithium or cobalt. The company says the cells charge in fifteen minutes and last longer in the cold, claims that independent testers in Norway will check this summer.",
 "telescope": "Astronomers at the new observatory in the Atacama desert photographed a comet with a tail stretching for millions of kilometres as it swung past the Sun, the first public image from the telescope's wide camera. The comet, found only in March by an amateur in New Zealand, should be visible from the southern hemisphere with binoculars at dusk next week.",
 "housing": "Members of parliament clashed for six hours over a bill that would cap rent rises at the rate of inflation and let councils buy empty flats at a fixed price. The housing minister said the reform would protect two million tenants; landlords' associations warned that investors would leave, and the committee stage is expected to last until the summer recess.",
 "marathon": "Organisers expect forty-two thousand runners at Sunday's city marathon, a record, including the Kenyan champion who won last year in two hours and four minutes. Roads around the river will close from six in the morning, extra trains will run from the suburbs, and volunteers will hand out water at twenty stations along the new route through the old harbour.",
 "vaccine": "The health agency widened access to a vaccine against respiratory syncytial virus to everyone over sixty and to pregnant women in their last trimester, after trials in Canada and Japan showed it cut hospital admissions by three quarters. Pharmacies will be able to give the jab from October, and the agency said it had ordered enough doses for the winter.",
 "ports": "Container ships are waiting an average of one day to unload at Rotterdam and Antwerp, down from nine days in January, as dock workers' strikes end and freight rates fall. Retailers told the trade ministry that shelves would be fuller before Christmas; shipping lines, which earned record profits during the congestion, are now cancelling sailings to keep prices up.",
 "festival": "The film festival opened on the Lido with the debut of a thirty-year-old director from Lisbon, a black-and-white drama about three sisters who run a ferry across the Tagus. The jury, chaired by a Korean actress, will watch twenty-one films in competition over eleven days; critics at the premiere stood for a long ovation.",
 "forest": "More than eighty thousand volunteers planted a million oak, beech and birch saplings across abandoned farmland in a single weekend, coordinated by an app that assigned each group a plot and a species. Foresters from the national park checked the planting on Monday and said most trees were in the ground at the right depth, though a dry June could kill a fifth of them.",
}

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
    """Article i's body: its own lead, then (with n > 2) a picture, a
    heading and one paragraph it may share with other articles."""
    parts = ["<p>%s</p>" % html.escape(LEADS[STORIES[i][0]])]
    if n > 2:
        if figure:
            parts.append(figure)
        parts.append("<h2>What happens next</h2>")
        parts.append("<p>%s</p>" % html.escape(PARA[i % len(PARA)]))
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

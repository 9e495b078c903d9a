//! Finding the article body in a page.
//!
//! One bottom-up pass measures every element (text, link text, paragraph
//! text). Boilerplate is recognized by tag, ARIA role and class/id words, but
//! never when the element holds most of the page's paragraph text (sites do
//! name their main column "sidebar-and-content"). The body is then the
//! explicit article container when one holds the text (`itemprop=articleBody`,
//! common body classes, `<article>`), else the best block by a Readability-
//! style score (paragraph length and commas credited to parents and
//! grandparents, weighted by class names, discounted by link density), joined
//! by qualifying siblings such as a standfirst before the body.

use crate::dom::GetAttr;
use crate::dom::Openings;
use crate::dom::Words;
use ego_tree::{NodeId, NodeRef};
use scraper::node::Element;
use scraper::{Html, Node};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hasher for node ids: the maps here are keyed by small
/// integers and looked up on every element, where SipHash's cost shows.
#[derive(Default)]
pub(crate) struct NodeHasher(u64);

impl Hasher for NodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A map keyed by node.
pub(crate) type NodeMap<V> = HashMap<NodeId, V, BuildHasherDefault<NodeHasher>>;

/// Text measures of one element, including its descendants.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Stats {
    /// Characters of text (scripts and styles excluded).
    pub text: usize,
    /// Characters of text inside links.
    pub link_text: usize,
    /// Characters of text inside paragraph-like elements.
    pub para_text: usize,
    /// Commas inside paragraph-like elements.
    pub commas: usize,
    /// Characters of the element's own running text: text and inline
    /// elements directly inside it, outside links. A `<div>` of text and
    /// `<br>`s is a paragraph by this measure, as Readability treats it.
    pub own_text: usize,
    /// Commas in that running text.
    pub own_commas: usize,
}

impl Stats {
    pub fn link_density(&self) -> f64 {
        if self.text == 0 {
            0.0
        } else {
            self.link_text as f64 / self.text as f64
        }
    }
}

pub(crate) struct Analysis {
    pub stats: NodeMap<Stats>,
    /// Paragraph text of the whole page.
    pub total_para: usize,
    /// [`Analysis::is_junk`] answers, per node, strict then loose: asked
    /// again for every ancestor of every paragraph.
    junk: RefCell<NodeMap<[Option<bool>; 2]>>,
}

fn is_paragraph(name: &str) -> bool {
    matches!(
        name,
        "p" | "pre" | "blockquote" | "td" | "li" | "dd" | "h2" | "h3"
    )
}

/// Elements that continue the running text of their parent.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "span"
            | "em"
            | "strong"
            | "b"
            | "i"
            | "u"
            | "s"
            | "font"
            | "small"
            | "big"
            | "sup"
            | "sub"
            | "br"
            | "abbr"
            | "cite"
            | "code"
            | "q"
            | "mark"
            | "time"
            | "strike"
            | "del"
            | "ins"
            | "tt"
            | "kbd"
            | "var"
            | "wbr"
    )
}

/// Paragraph text a `<noscript>` needs to count as content.
pub(crate) const NOSCRIPT_ARTICLE: usize = 500;

/// Running text shorter than this is a label, not a paragraph.
const MIN_RUN: usize = 25;

fn is_invisible_content(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "template"
            | "svg"
            | "head"
            | "title"
            | "select"
            | "option"
            | "textarea"
    )
}

pub(crate) fn analyze(doc: &Html) -> Analysis {
    let mut stats: NodeMap<Stats> = NodeMap::default();
    fn visit(
        node: NodeRef<'_, Node>,
        stats: &mut NodeMap<Stats>,
        in_link: bool,
        depth: usize,
    ) -> Stats {
        if depth > crate::MAX_DEPTH {
            return Stats::default();
        }
        match node.value() {
            Node::Text(t) => {
                let len = t.trim().chars().count();
                let commas = t.matches([',', '，', '、', '،']).count();
                Stats {
                    text: len,
                    link_text: if in_link { len } else { 0 },
                    commas,
                    ..Stats::default()
                }
            }
            Node::Element(el) => {
                let name = el.name();
                if is_invisible_content(name) {
                    return Stats::default();
                }
                if name == "noscript" {
                    // What a reader without scripts sees: counted only when
                    // it is a whole article, not a fallback image or notice.
                    let s = visit_children(node, stats, in_link, depth);
                    if s.para_text < NOSCRIPT_ARTICLE {
                        return Stats::default();
                    }
                    stats.insert(node.id(), s);
                    return s;
                }
                let in_link = in_link || name == "a";
                let mut s = visit_children(node, stats, in_link, depth);
                if is_paragraph(name) && s.para_text == 0 {
                    // Innermost paragraph-like element: its text is paragraph text.
                    s.para_text = s.text.saturating_sub(s.link_text);
                    s.own_text = 0;
                } else if !is_paragraph(name)
                    && !is_inline(name)
                    && !matches!(name, "body" | "html")
                    && s.own_text >= MIN_RUN
                {
                    // Running text straight inside a container.
                    s.para_text += s.own_text;
                } else if s.para_text == 0 && !is_inline(name) {
                    s.commas = 0;
                }
                if is_inline(name) || s.own_text < MIN_RUN {
                    s.own_text = 0;
                    s.own_commas = 0;
                }
                stats.insert(node.id(), s);
                s
            }
            Node::Document | Node::Fragment => visit_children(node, stats, in_link, depth),
            _ => Stats::default(),
        }
    }
    fn visit_children(
        node: NodeRef<'_, Node>,
        stats: &mut NodeMap<Stats>,
        in_link: bool,
        depth: usize,
    ) -> Stats {
        let mut s = Stats::default();
        for child in node.children() {
            let c = visit(child, stats, in_link, depth + 1);
            s.text += c.text;
            s.link_text += c.link_text;
            s.para_text += c.para_text;
            s.commas += c.commas;
            let runs_on = match child.value() {
                Node::Text(_) => true,
                Node::Element(e) => is_inline(e.name()),
                _ => false,
            };
            if runs_on {
                s.own_text += c.text.saturating_sub(c.link_text + c.para_text);
                s.own_commas += c.commas;
            }
        }
        s
    }
    let total = visit(doc.tree.root(), &mut stats, false, 0);
    Analysis {
        stats,
        total_para: total.para_text,
        junk: RefCell::default(),
    }
}

const JUNK_WORDS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "socials",
    "related",
    "comment",
    "comments",
    "newsletter",
    "subscribe",
    "subscription",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsor",
    "sponsored",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "byline",
    "recommend",
    "recommended",
    "recommendations",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "popular",
    "outbrain",
    "taboola",
    "signup",
    "paywall",
    "toolbar",
    "masthead",
    "menu",
    "nav",
    "navbar",
    "navigation",
    "footer",
    "header",
    "pagination",
    "pager",
    "popup",
    "modal",
    "banner",
    "disqus",
    "trending",
    "tags",
    "tag",
    "print",
    "widget",
    "meta",
    "dateline",
    "timestamp",
    "author",
    "authors",
    "bio",
    "login",
    "search",
    "caption",
    "reading-time",
    "readtime",
    "readmore",
    "more",
    "also",
    "rating",
    "ratings",
    "feedback",
    "donate",
    "gallery",
    "slideshow",
    "carousel",
    "slider",
    "player",
    "vjs",
    "video",
    "playlist",
    "recirc",
    "next",
    "prev",
    "previous",
    "infobox",
    "subnav",
    "topbar",
    "bottombar",
    "overlay",
    "shop",
    "partner",
];

/// How short blocks that introduce boilerplate begin, in the languages the
/// corpora show, besides the teaser labels of [`crate::related`]. Only
/// blocks under 80 characters are compared.
const BOILERPLATE_OPENINGS: &[&str] = &[
    "you may be interested",
    "share this",
    "share on",
    "follow us",
    "sign up",
    "subscribe",
    "advertisement",
    "if you enjoyed",
    "leave a reply",
    "leave a comment",
    "comments",
    "most read",
    "most popular",
    "trending",
    "lust auf mehr",
    "anzeige",
    "werbung",
    "teilen",
    "folgen sie",
    "kommentare",
    "schlagworte",
    "partager",
    "leer más",
    "compartir",
    "condividi",
    "themen:",
    "tags:",
    "print",
    "drucken",
    "back to top",
    "nach oben",
    "zurück",
    "continue reading",
    "lea más",
    "lea:",
    "puedes ver",
    "mira:",
    "lesen sie hier",
    "dowiedz się więcej",
    "noch mehr infos",
    "entdecke weitere",
    "neueste artikel",
    "mehr zu ",
    "quellenangaben",
    "zusatzinformationen",
    "kontakt:",
    "ansprechpartner",
];

/// How picture credit lines begin.
const CREDIT_LABELS: &[&str] = &[
    "foto:",
    "fotos:",
    "bild:",
    "photo:",
    "photos:",
    "credit:",
    "image:",
    "crédit",
    "abbildung:",
];

/// Class and id parts that name boilerplate: "share-buttons", "c-related",
/// "post__comments", "sidebar". Checked on the first and last part of each
/// hyphen- or underscore-separated class token, after dropping one-letter
/// namespace prefixes ("c-", "o-", "js-").
fn names_junk(hay: &str) -> bool {
    hay.split_ascii_whitespace().any(|token| {
        let token = crate::dom::ascii_lowercase(token);
        let token = token.as_ref();
        if matches!(
            token,
            "most-read"
                | "read-more"
                | "more-stories"
                | "also-read"
                | "author-bio"
                | "social-media"
                | "reading-time"
        ) {
            return true;
        }
        let mut parts = token.split(['-', '_']).filter(|p| {
            !p.is_empty() && !matches!(*p, "c" | "o" | "l" | "u" | "js" | "is" | "has" | "m" | "b")
        });
        let Some(first) = parts.next() else {
            return false;
        };
        // (`None` when the token has one part.)
        let last = parts.next_back();
        // Taxonomy classes ("tag-elections", "author-jane", "category-news")
        // describe the post they sit on, not a box of tags.
        if let Some(last) = last
            && matches!(first, "tag" | "tags" | "author" | "category")
        {
            return JUNK_WORDS.contains(&last);
        }
        JUNK_WORDS.contains(&first) || last.is_some_and(|last| JUNK_WORDS.contains(&last))
    })
}

/// Class parts that are boilerplate whatever their size.
fn names_certain_junk(el: &Element) -> bool {
    const CERTAIN: &[&str] = &[
        "gallery",
        "slideshow",
        "carousel",
        "comments",
        "comment",
        "related",
        "recirc",
        "outbrain",
        "taboola",
        "modal",
        "popup",
        "overlay",
        "cookie",
        "cookies",
        "consent",
        "newsletter",
        "paywall",
        "login",
        "registration",
        "signup",
    ];
    let names = [el.get_attr("class"), el.id()];
    let certain = names.iter().flatten().any(|hay| {
        hay.split_ascii_whitespace().any(|token| {
            token
                .split(['-', '_'])
                .any(|part| CERTAIN.iter().any(|c| c.eq_ignore_ascii_case(part)))
        })
    });
    certain && !names.iter().flatten().any(|hay| KEEP_WORDS.any_in(hay))
}

/// Names that mark an article's body, whatever else the class says.
const KEEP_WORDS: Words = Words::new(&[
    "article-body",
    "articlebody",
    "story-body",
    "entry-content",
    "post-content",
    "main-content",
    "article-content",
    "post-body",
    "text-editor",
]);

/// Whether the element's tag, role or state makes it boilerplate or hidden.
pub(crate) fn is_junk_by_tag(el: &Element) -> bool {
    let name = el.name();
    if matches!(
        name,
        "nav"
            | "aside"
            | "footer"
            | "form"
            | "button"
            | "dialog"
            | "menu"
            | "select"
            | "input"
            | "textarea"
            | "label"
    ) {
        return true;
    }
    if let Some(role) = el.get_attr("role")
        && matches!(
            role,
            "navigation"
                | "complementary"
                | "banner"
                | "contentinfo"
                | "dialog"
                | "alert"
                | "search"
                | "menu"
                | "menubar"
                | "toolbar"
        )
    {
        return true;
    }
    false
}

/// Class and id fragments that name boilerplate wherever they appear in a
/// token ("nocomments", "jp-relatedposts", "image-copyright"), checked on
/// every element but figures and images. Captions and credits count only
/// away from pictures: a picture's own caption, in a `<figure>` or beside
/// the image, stays with it.
fn names_strong_junk(node: NodeRef<'_, Node>, el: &Element, comments: bool) -> bool {
    const STRONG: Words = Words::new(&[
        "comment",
        "related",
        "copyright",
        "disclaimer",
        "disclosure",
        "caption",
        "credit",
        "newsletter",
        "cookie",
        "sharedaddy",
        "shariff",
        "sociable",
        "metadata",
        "breadcrumb",
        "akismet",
        // Not junk: it keeps the token from counting.
        "commentary",
    ]);
    const COMMENT: u64 = STRONG.bit("comment");
    const COMMENTARY: u64 = STRONG.bit("commentary");
    const PICTURE_WORDS: u64 =
        STRONG.bit("caption") | STRONG.bit("credit") | STRONG.bit("copyright");
    if matches!(el.name(), "figure" | "img" | "picture" | "html" | "body") {
        return false;
    }
    // A token holds a word only where the whole class or id does: most
    // elements are turned away in one pass over each.
    if ![el.get_attr("class"), el.id()]
        .into_iter()
        .flatten()
        .any(|hay| STRONG.found_in(hay) & !COMMENTARY != 0)
    {
        return false;
    }
    let mut in_figure = None;
    let mut in_figure = || {
        *in_figure.get_or_insert_with(|| {
            let picture = |n: NodeRef<'_, Node>| {
                n.descendants()
                    .any(|d| element(d).is_some_and(|e| matches!(e.name(), "img" | "picture")))
            };
            el.name() == "figcaption"
                || crate::dom::within(node, &["figure"])
                || node.ancestors().take(3).any(picture)
        })
    };
    [el.get_attr("class"), el.id()]
        .into_iter()
        .flatten()
        .any(|hay| {
            hay.split_ascii_whitespace().any(|token| {
                let found = STRONG.found_in(token);
                found & COMMENTARY == 0
                    && (found & !(COMMENT | PICTURE_WORDS) != 0
                        || (comments && found & COMMENT != 0)
                        || (found & PICTURE_WORDS != 0 && !in_figure()))
            })
        })
}

pub(crate) fn is_junk_by_name(node: NodeRef<'_, Node>, el: &Element) -> bool {
    let (class, id) = (el.get_attr("class"), el.id());
    // (No word looked for holds a space: the class and the id are searched
    // apart.)
    let keeps = || {
        [class, id]
            .into_iter()
            .flatten()
            .any(|h| KEEP_WORDS.any_in(h))
    };
    if names_strong_junk(node, el, true) {
        return !keeps();
    }
    if matches!(
        el.name(),
        "html"
            | "body"
            | "main"
            | "p"
            | "img"
            | "figure"
            | "h1"
            | "h2"
            | "h3"
            | "table"
            | "tbody"
            | "tr"
            | "td"
            | "li"
    ) {
        return false;
    }
    if class.is_none() && id.is_none() || keeps() {
        return false;
    }
    // A picture's caption, credit or author inside its `<figure>` stays
    // with it, whatever its class says ("widget-image__subtitle"); outside
    // a figure such names are boilerplate.
    const PICTURE_PARTS: Words = Words::new(&["caption", "credit", "author"]);
    if (el.name() == "figcaption"
        || [class, id]
            .into_iter()
            .flatten()
            .any(|h| PICTURE_PARTS.any_in(h)))
        && crate::dom::within(node, &["figure"])
    {
        return false;
    }
    [id, class].into_iter().flatten().any(names_junk) || names_certain_junk(el)
}

/// How strictly boilerplate is removed; loosened when the strict pass finds
/// almost nothing, as Readability does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    Strict,
    Loose,
}

impl Analysis {
    /// True for elements that are not part of an article body.
    pub fn is_junk(&self, node: NodeRef<'_, Node>, strictness: Strictness) -> bool {
        if !node.value().is_element() {
            return false;
        }
        let slot = usize::from(strictness == Strictness::Loose);
        if let Some(known) = self.junk.borrow().get(&node.id()).and_then(|a| a[slot]) {
            return known;
        }
        let junk = self.judge(node, strictness);
        self.junk.borrow_mut().entry(node.id()).or_default()[slot] = Some(junk);
        junk
    }

    fn judge(&self, node: NodeRef<'_, Node>, strictness: Strictness) -> bool {
        let Node::Element(el) = node.value() else {
            return false;
        };
        let stats = self.stats.get(&node.id()).copied().unwrap_or_default();
        // Hidden elements (pop-ups, templates) are never the article.
        if crate::sanitize::is_hidden_at(node, el) {
            return true;
        }
        // The wrapper of a figure's own picture stays with it, whatever its
        // class or its zoom link says ("id-Mediabox-media").
        if crate::dom::within(node, &["figure"])
            && node
                .descendants()
                .any(|d| element(d).is_some_and(|e| matches!(e.name(), "img" | "picture")))
        {
            return false;
        }
        // Never drop what holds most of the page's paragraph text, unless
        // its name leaves no doubt (a 50-picture gallery can outweigh an article).
        let holds_most = self.total_para > 0 && stats.para_text * 2 > self.total_para;
        if holds_most {
            return strictness == Strictness::Strict && names_certain_junk(el);
        }
        // An author card's name, role and biography go to the article's
        // authors, not its text.
        if crate::cards::is_author_card(el) {
            return true;
        }
        // (A figure's `<footer>` holds its credit, ORF's.)
        if (is_junk_by_tag(el) && !(el.name() == "footer" && crate::dom::within(node, &["figure"])))
            || (el.name() == "header" && stats.para_text < 400)
        {
            return true;
        }
        if strictness == Strictness::Strict && is_junk_by_name(node, el) {
            return true;
        }
        if strictness == Strictness::Loose {
            // Still no sharing bars or credits; but a forum's posts or a
            // live blog may well be named "comment".
            return names_strong_junk(node, el, false);
        }
        // Short blocks that announce boilerplate: "Read more", "Lesen Sie
        // auch"; longer ones when they are mostly a link ("Lea más: <a>…</a>").
        if stats.text > 0
            && (stats.text < 80 || (stats.text < 300 && stats.link_density() > 0.5))
            && matches!(
                el.name(),
                "p" | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "div"
                    | "span"
                    | "strong"
                    | "b"
                    | "section"
                    | "header"
                    | "li"
            )
        {
            const OPENINGS: Openings =
                Openings::new(&[BOILERPLATE_OPENINGS, crate::related::TEASER_LABELS]);
            let text: String = node
                .descendants()
                .filter_map(|d| match d.value() {
                    Node::Text(t) => Some(&**t),
                    _ => None,
                })
                .collect();
            let text = text.trim();
            // (Most texts open with no label: they are not lowercased.)
            if OPENINGS.may_open(text) {
                let text = text.to_lowercase();
                if BOILERPLATE_OPENINGS.iter().any(|o| text.starts_with(o))
                    || crate::related::is_teaser_label(&text)
                {
                    return true;
                }
            }
        }
        // Credit lines standing alone ("(© FEI/Christophe Taniere)",
        // "Foto: dpa"); a figure's own caption stays with its picture.
        if stats.text > 0
            && stats.text < 150
            && matches!(el.name(), "p" | "div" | "span" | "small" | "em" | "i")
            && !crate::dom::within(node, &["figure", "figcaption"])
        {
            let text: String = node
                .descendants()
                .filter_map(|d| match d.value() {
                    Node::Text(t) => Some(&**t),
                    _ => None,
                })
                .collect::<String>();
            const OPENINGS: Openings = Openings::new(&[CREDIT_LABELS]);
            let text = text.trim().trim_start_matches('(');
            // ('©' is not ASCII: it is let through.)
            if OPENINGS.may_open(text) {
                let text = text.to_lowercase();
                if text.starts_with('©') || CREDIT_LABELS.iter().any(|l| text.starts_with(l)) {
                    return true;
                }
            }
        }
        // Teasers: one of a row of alike boxes, each with a link.
        if matches!(el.name(), "div" | "article" | "li" | "section")
            && stats.text < 600
            && is_teaser_item(node, el, self)
        {
            return true;
        }
        // Link lists: navigation, tag clouds, "more stories".
        if matches!(el.name(), "ul" | "ol" | "div" | "section" | "table" | "dl")
            && stats.text > 0
            && stats.link_density() > 0.5
            && stats.para_text < 800
        {
            return true;
        }
        false
    }
}

/// Headers of articles: boilerplate (headline, byline, share buttons)
/// around a standfirst worth keeping.
fn is_header_like(el: &Element) -> bool {
    el.name() == "header"
        || [el.get_attr("class"), el.id()]
            .into_iter()
            .flatten()
            .any(|hay| {
                hay.split_ascii_whitespace().any(|token| {
                    token
                        .split(['-', '_'])
                        .rfind(|p| !p.is_empty())
                        .is_some_and(|last| last.eq_ignore_ascii_case("header"))
                })
            })
}

/// An article header just before the body, outside its container: a
/// header-like element with a headline among the preceding siblings of the
/// first block or of its nearest ancestors.
pub(crate) fn header_before<'a>(blocks: &[NodeRef<'a, Node>]) -> Option<NodeRef<'a, Node>> {
    let first = *blocks.first()?;
    std::iter::once(first)
        .chain(first.ancestors())
        .take(3)
        .take_while(|n| element(*n).is_some_and(|e| !matches!(e.name(), "body" | "html")))
        .find_map(|n| {
            n.prev_siblings()
                .filter(|s| s.value().is_element())
                .take(2)
                .find(|s| {
                    // An article's header holds its headline; a site's
                    // header (logo, tagline) does not.
                    element(*s).is_some_and(is_header_like)
                        && s.descendants()
                            .any(|d| element(d).is_some_and(|e| matches!(e.name(), "h1" | "h2")))
                })
        })
}

/// The body filter the cleaner applies inside the chosen blocks.
pub(crate) struct Filter<'a> {
    pub analysis: &'a Analysis,
    pub strictness: Strictness,
}

impl crate::sanitize::BodyFilter for Filter<'_> {
    fn verdict(&self, node: NodeRef<'_, Node>) -> crate::sanitize::Verdict {
        use crate::sanitize::Verdict;
        if !self.analysis.is_junk(node, self.strictness) {
            return Verdict::Keep;
        }
        match element(node) {
            Some(el)
                if is_header_like(el) && !crate::sanitize::is_hidden(el) && !is_junk_by_tag(el) =>
            {
                Verdict::Rescue
            }
            _ => Verdict::Drop,
        }
    }

    fn shows_noscript(&self, node: NodeRef<'_, Node>) -> bool {
        self.analysis
            .stats
            .get(&node.id())
            .is_some_and(|s| s.para_text >= NOSCRIPT_ARTICLE)
    }

    fn rescues(&self, node: NodeRef<'_, Node>) -> bool {
        let Some(el) = element(node) else {
            return false;
        };
        let stats = self
            .analysis
            .stats
            .get(&node.id())
            .copied()
            .unwrap_or_default();
        const LEAD: Words = Words::new(&[
            "lead",
            "intro",
            "summary",
            "standfirst",
            "teaser",
            "excerpt",
            "dek",
            "subtitle",
        ]);
        let lead_class = el.get_attr("class").is_some_and(|c| LEAD.any_in(c));
        let paragraph = matches!(el.name(), "p" | "h2" | "h3" | "h4" | "h5" | "h6")
            || stats.own_text >= 60
            || lead_class;
        paragraph
            && el.name() != "h1"
            && stats.text >= 60
            && stats.link_density() < 0.3
            && !is_junk_by_name(node, el)
    }
}

/// Whether the element is one of three or more siblings with its class,
/// each short and linking elsewhere: a row of teasers.
fn is_teaser_item(node: NodeRef<'_, Node>, el: &Element, analysis: &Analysis) -> bool {
    let Some(class) = el.get_attr("class").filter(|c| !c.trim().is_empty()) else {
        return false;
    };
    let linked = |n: NodeRef<'_, Node>| {
        analysis
            .stats
            .get(&n.id())
            .is_some_and(|s| s.text > 0 && s.text < 600 && s.link_text * 4 >= s.text)
    };
    if !linked(node) {
        return false;
    }
    let Some(parent) = node.parent() else {
        return false;
    };
    parent
        .children()
        .filter(|c| {
            c.id() != node.id()
                && element(*c)
                    .is_some_and(|e| e.name() == el.name() && e.get_attr("class") == Some(class))
                && linked(*c)
        })
        .nth(1)
        .is_some()
}

fn class_weight(el: &Element) -> f64 {
    const POSITIVE: &[&str] = &[
        "article", "body", "content", "entry", "hentry", "main", "page", "post", "text", "blog",
        "story",
    ];
    const NEGATIVE: &[&str] = &[
        "hidden",
        "banner",
        "combx",
        "comment",
        "contact",
        "foot",
        "footer",
        "footnote",
        "masthead",
        "media",
        "meta",
        "outbrain",
        "promo",
        "related",
        "scroll",
        "share",
        "shoutbox",
        "sidebar",
        "skyscraper",
        "sponsor",
        "shopping",
        "tags",
        "tool",
        "widget",
        "nav",
        "menu",
    ];
    // Both lists in one pass.
    const LISTS: &[&[&str]] = &[NEGATIVE, POSITIVE];
    const ALL: [&str; crate::dom::count(LISTS)] = crate::dom::joined(LISTS);
    const WORDS: Words = Words::new(&ALL);
    const NEGATIVE_BITS: u64 = WORDS.mask(NEGATIVE);
    const POSITIVE_BITS: u64 = WORDS.mask(POSITIVE);
    let mut weight = 0.0;
    for hay in [el.get_attr("class"), el.id()].into_iter().flatten() {
        let found = WORDS.found_in(hay);
        if found & NEGATIVE_BITS != 0 {
            weight -= 25.0;
        }
        if found & POSITIVE_BITS != 0 {
            weight += 25.0;
        }
    }
    weight
}

fn tag_weight(name: &str) -> f64 {
    match name {
        "div" | "article" | "section" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

fn element(node: NodeRef<'_, Node>) -> Option<&Element> {
    match node.value() {
        Node::Element(e) => Some(e),
        _ => None,
    }
}

/// Share of article paragraphs in what a parent adds for the body to grow
/// into it.
const GOOD_SHARE: f64 = 0.6;

/// The elements that make up the article body, in document order: an
/// explicit container that holds a real share of the text, else the best
/// scored block; either grown to the article around it, with its siblings.
pub(crate) fn find_body<'a>(
    idx: &crate::index::PageIndex<'a>,
    analysis: &Analysis,
    strictness: Strictness,
) -> Vec<NodeRef<'a, Node>> {
    let Some(body) = idx.body else {
        return Vec::new();
    };
    let scored = score_paragraphs(body, analysis, strictness);
    let best = best_block(body, &scored.scores, analysis);
    let climber = Climber {
        analysis,
        strictness,
        good: &scored.good,
    };
    if let Some(container) = explicit_container(idx, analysis, strictness, best) {
        return with_siblings(climber.climb(container, false), None, analysis, strictness);
    }
    match best {
        Some((score, node)) => {
            let top = climber.climb(node, true);
            with_siblings(top, Some((score, &scored.scores)), analysis, strictness)
        }
        None => vec![body],
    }
}

/// Article paragraph text an element holds.
fn para_text(analysis: &Analysis, node: NodeRef<'_, Node>) -> usize {
    analysis
        .stats
        .get(&node.id())
        .map(|s| s.para_text)
        .unwrap_or(0)
}

/// Blocks scored by the paragraphs they hold.
struct Scored {
    /// Each scored block's score.
    scores: NodeMap<f64>,
    /// Text of the scored paragraphs inside each element.
    good: NodeMap<usize>,
}

/// Each paragraph (and container's own running text) outside junk adds to
/// the scores of its three nearest element ancestors, less with distance.
fn score_paragraphs(
    body: NodeRef<'_, Node>,
    analysis: &Analysis,
    strictness: Strictness,
) -> Scored {
    let junk_ancestor =
        |node: NodeRef<'_, Node>| node.ancestors().any(|a| analysis.is_junk(a, strictness));
    let mut scores: NodeMap<f64> = NodeMap::default();
    let mut good: NodeMap<usize> = NodeMap::default();
    for node in body.descendants() {
        let Some(el) = element(node) else { continue };
        let Some(stats) = analysis.stats.get(&node.id()) else {
            continue;
        };
        // Paragraphs, and containers' own running text.
        let (text, commas) = if matches!(el.name(), "p" | "pre" | "td" | "blockquote") {
            (stats.text, stats.commas)
        } else if stats.own_text >= MIN_RUN {
            (stats.own_text, stats.own_commas)
        } else {
            continue;
        };
        if text < 25 || analysis.is_junk(node, strictness) || junk_ancestor(node) {
            continue;
        }
        let score = 1.0 + commas as f64 + (text as f64 / 100.0).min(3.0);
        if stats.link_density() < 0.3 {
            for ancestor in node.ancestors() {
                *good.entry(ancestor.id()).or_default() += text;
            }
            *good.entry(node.id()).or_default() += text;
        }
        for (level, ancestor) in node
            .ancestors()
            .filter(|a| a.value().is_element())
            .take(3)
            .enumerate()
        {
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            let entry = scores.entry(ancestor.id()).or_insert_with(|| {
                element(ancestor)
                    .map(|e| tag_weight(e.name()) + class_weight(e))
                    .unwrap_or(0.0)
            });
            *entry += score / divider;
        }
    }
    Scored { scores, good }
}

/// The best scored block (scores weighed by link density and text); when
/// three of the runners-up share an ancestor with it, that ancestor: an
/// article split into several blocks (steps, sections), as Readability
/// finds it.
fn best_block<'a>(
    body: NodeRef<'a, Node>,
    scores: &NodeMap<f64>,
    analysis: &Analysis,
) -> Option<(f64, NodeRef<'a, Node>)> {
    let mut ranked: Vec<(f64, NodeRef<'a, Node>)> = scores
        .iter()
        .filter_map(|(id, score)| {
            let node = body.tree().get(*id)?;
            let stats = analysis.stats.get(id).copied().unwrap_or_default();
            // A class name ("content-header") must not lift a block with
            // next to no text above the article.
            let thin = (stats.para_text as f64 / 200.0).min(1.0);
            Some((score * (1.0 - stats.link_density()) * thin, node))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (top_score, top) = ranked.first().copied()?;
    let alternatives: Vec<NodeRef<'a, Node>> = ranked
        .iter()
        .skip(1)
        .take(4)
        .filter(|(s, _)| *s >= top_score * 0.75)
        .map(|(_, n)| *n)
        .collect();
    if alternatives.len() >= 3 {
        for ancestor in top.ancestors() {
            if element(ancestor).is_none_or(|e| matches!(e.name(), "body" | "html")) {
                break;
            }
            let containing = alternatives
                .iter()
                .filter(|alt| alt.ancestors().any(|a| a.id() == ancestor.id()))
                .count();
            if containing >= 3 {
                return Some((top_score, ancestor));
            }
        }
    }
    Some((top_score, top))
}

/// The page's explicit article container (`<article>`, `itemprop`,
/// known classes; in tiers) when it holds a real share of the text the
/// best block holds, or holds that block. Many alike containers are a
/// list of teasers, not one article.
fn explicit_container<'a>(
    idx: &crate::index::PageIndex<'a>,
    analysis: &Analysis,
    strictness: Strictness,
    best: Option<(f64, NodeRef<'a, Node>)>,
) -> Option<NodeRef<'a, Node>> {
    let para = |node: NodeRef<'_, Node>| para_text(analysis, node);
    for tier in &idx.explicit {
        let candidates: Vec<(usize, NodeRef<'a, Node>)> = tier
            .iter()
            .filter(|e| !analysis.is_junk(**e, strictness))
            .map(|e| (para(*e), *e))
            .collect();
        let candidate = candidates.iter().copied().max_by_key(|(len, _)| *len);
        if let Some((len, _)) = candidate
            && candidates.iter().filter(|(l, _)| l * 2 >= len).count() >= 3
        {
            continue;
        }
        if let Some((len, el)) = candidate
            && len >= 150
            && best.is_none_or(|(_, b)| {
                len * 10 >= para(b) * 6 || el.descendants().any(|d| d.id() == b.id())
            })
        {
            return Some(el);
        }
    }
    None
}

/// Grows a block to the article around it.
struct Climber<'s> {
    analysis: &'s Analysis,
    strictness: Strictness,
    good: &'s NodeMap<usize>,
}

impl Climber<'_> {
    /// Climbs while the parent holds nearly the same text (with
    /// `by_ratio`), or while what it adds is mostly more article
    /// paragraphs: an article split into sections, each in its own box.
    fn climb<'a>(&self, node: NodeRef<'a, Node>, by_ratio: bool) -> NodeRef<'a, Node> {
        let analysis = self.analysis;
        let para = |n: NodeRef<'_, Node>| para_text(analysis, n);
        let text = |n: NodeRef<'_, Node>| analysis.stats.get(&n.id()).map_or(0, |s| s.text);
        let good_of = |n: NodeRef<'_, Node>| self.good.get(&n.id()).copied().unwrap_or(0);
        let mut top = node;
        while let Some(parent) = top.parent().filter(|p| p.value().is_element()) {
            if element(parent).is_some_and(|e| matches!(e.name(), "body" | "html"))
                || analysis.is_junk(parent, self.strictness)
            {
                break;
            }
            let close = by_ratio && para(parent) as f64 <= para(top) as f64 * 1.6;
            let added = text(parent).saturating_sub(text(top));
            let added_good = good_of(parent).saturating_sub(good_of(top));
            let more_article = added_good as f64 >= added as f64 * GOOD_SHARE
                && analysis
                    .stats
                    .get(&parent.id())
                    .is_some_and(|s| s.link_density() < 0.3);
            if !close && !more_article {
                break;
            }
            top = parent;
        }
        top
    }
}

/// The chosen block plus siblings that belong to the same article: a
/// standfirst before it, a continuation after it.
fn with_siblings<'a>(
    top: NodeRef<'a, Node>,
    scored: Option<(f64, &NodeMap<f64>)>,
    analysis: &Analysis,
    strictness: Strictness,
) -> Vec<NodeRef<'a, Node>> {
    let Some(parent) = top.parent() else {
        return vec![top];
    };
    let threshold = scored.map(|(s, _)| (s * 0.2).max(10.0));
    parent
        .children()
        .filter(|sibling| {
            if sibling.id() == top.id() {
                return true;
            }
            let Some(el) = element(*sibling) else {
                return false;
            };
            if analysis.is_junk(*sibling, strictness) {
                return false;
            }
            let stats = analysis
                .stats
                .get(&sibling.id())
                .copied()
                .unwrap_or_default();
            if let (Some(t), Some((_, scores))) = (threshold, scored)
                && scores
                    .get(&sibling.id())
                    .is_some_and(|s| *s * (1.0 - stats.link_density()) >= t)
            {
                return true;
            }
            if el.name() == "p"
                || (el.name() == "div"
                    && sibling.children().all(|c| {
                        !c.value().is_element()
                            || element(c).is_some_and(|e| !crate::sanitize::is_block_name(e.name()))
                    }))
            {
                let density = stats.link_density();
                return (stats.text > 80 && density < 0.25)
                    || (stats.text > 0 && density == 0.0 && stats.text >= 40);
            }
            false
        })
        .collect()
}

/// A standfirst (intro, lead, teaser text) that sits before the body outside
/// its container, as news pages often place it between the headline and the
/// article text.
pub(crate) fn standfirst<'a>(
    idx: &crate::index::PageIndex<'a>,
    analysis: &Analysis,
    blocks: &[NodeRef<'a, Node>],
    strictness: Strictness,
) -> Option<NodeRef<'a, Node>> {
    let first = blocks.first()?;
    if idx.leads.is_empty() || element(*first).is_some_and(|e| e.name() == "body") {
        return None;
    }
    let body_order = first
        .tree()
        .root()
        .descendants()
        .position(|n| n.id() == first.id())?;
    idx.leads
        .iter()
        .filter(|(order, _)| *order < body_order)
        .map(|(_, node)| *node)
        .rfind(|node| {
            let stats = analysis.stats.get(&node.id()).copied().unwrap_or_default();
            stats.text >= 60
                && stats.text <= 1500
                && stats.link_density() < 0.2
                && !analysis.is_junk(*node, strictness)
                && !node.ancestors().any(|a| analysis.is_junk(a, strictness))
                && !blocks
                    .iter()
                    .any(|b| b.ancestors().any(|a| a.id() == node.id()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_boilerplate_class_names() {
        for junk in [
            "share-buttons",
            "c-related",
            "post__comments",
            "sidebar",
            "social-media",
            "newsletter-signup",
            "js-ad",
        ] {
            assert!(names_junk(junk), "{junk}");
        }
        for fine in [
            "article-body",
            "shareholder-letter",
            "no-sidebars-layout x",
            "content",
            "c-article js-reading-wrapper",
            "adaptive",
        ] {
            assert!(!names_junk(fine), "{fine}");
        }
    }
}

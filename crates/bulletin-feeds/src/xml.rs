//! RSS, RDF, Atom and CDF: the document is read into one small element tree
//! (`tree`), then the format its root names is adapted into a `Feed` by
//! its own module (`rss`, `rdf`, `atom`, `cdf`), as miniflux reads each
//! format with its own parser and adapter.

use crate::FeedError;
use crate::atom::*;
use crate::cdf::*;
use crate::rss::*;
use crate::tree::*;
use bulletin_core::{Feed, FeedKind};
use url::Url;

pub fn parse(bytes: &[u8], base: Option<&Url>) -> Result<Feed, FeedError> {
    let (utf8, encoding_problem) = to_utf8(bytes);
    let (root, malformed) = build_tree(&utf8)?;
    let malformed = malformed.or(encoding_problem);
    let mut root = root;
    let mut feed = match (root.ns, root.name.as_str()) {
        (_, "rss") => {
            // RSS 2.0 under a default namespace of its own
            // (`xmlns="http://backend.userland.com/rss2"`).
            if root.ns == Ns::Other {
                retag(&mut root, &[Ns::Other], Ns::Rss);
            }
            let mut feed = read_rss(&root, base, FeedKind::Rss);
            feed.version = Some(rss_version(&root, &utf8));
            feed
        }
        (Ns::Rdf, "RDF") | (_, "RDF") => crate::rdf::read(&root, base),
        (_, "feed") => {
            // Atom without its namespace declaration, or under an unknown
            // one (`xmlns="http://example.com/newformat#"`): read it as Atom.
            let version = atom_version(&root);
            if root.ns != Ns::Atom {
                let from = root.ns;
                retag(&mut root, &[Ns::Rss, from], Ns::Atom);
            }
            let mut feed = read_atom(&root, base, version != "atom03");
            feed.version = Some(version.to_string());
            feed
        }
        (_, "entry") => {
            // A lone Atom entry document: a feed of one.
            let version = atom_version(&root);
            if root.ns != Ns::Atom {
                retag(&mut root, &[Ns::Rss], Ns::Atom);
            }
            let wrapper = Node {
                ns: Ns::Atom,
                name: "feed".into(),
                attrs: Vec::new(),
                text: String::new(),
                raw: false,
                children: vec![root],
            };
            let mut feed = read_atom(&wrapper, base, version != "atom03");
            feed.version = Some(version.to_string());
            feed
        }
        (_, "CHANNEL") => read_cdf(&root, base),
        (_, "html") => return Err(FeedError::Html),
        (_, other) => return Err(FeedError::UnknownRoot(other.to_string())),
    };
    feed.malformed = malformed;
    Ok(feed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss2_with_extensions() {
        let doc = br#"<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>News &amp; more</title><link>https://example.org/</link><ttl>30</ttl>
<item><title>First</title><link>/a/1?utm_source=rss</link><guid isPermaLink="false">id-1</guid>
<pubDate>Sun, 25 May 2025 10:00:00 GMT</pubDate><dc:creator>Jane Roe</dc:creator>
<description>Short &lt;b&gt;summary&lt;/b&gt;</description>
<content:encoded><![CDATA[<p>Full body</p>]]></content:encoded>
<media:content url="https://img.example.org/x.jpg" medium="image"><media:description>A caption</media:description><media:credit>Photo Agency</media:credit></media:content>
</item></channel></rss>"#;
        let base = Url::parse("https://example.org/feed.xml").unwrap();
        let feed = parse(doc, Some(&base)).unwrap();
        assert_eq!(feed.title.as_deref(), Some("News & more"));
        assert_eq!(feed.ttl_minutes, Some(30));
        assert_eq!(feed.malformed, None);
        let hinted = parse(
            br#"<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>"#,
            None,
        )
        .unwrap();
        assert_eq!(hinted.ttl_minutes, Some(30));
        let e = &feed.entries[0];
        assert_eq!(e.id.as_deref(), Some("id-1"));
        assert_eq!(
            e.link.as_deref(),
            Some("https://example.org/a/1?utm_source=rss")
        );
        assert_eq!(e.authors[0].name, "Jane Roe");
        assert_eq!(e.summary.as_deref(), Some("Short <b>summary</b>"));
        assert_eq!(e.content.as_deref(), Some("<p>Full body</p>"));
        let img = e.image.as_ref().unwrap();
        assert_eq!(img.caption.as_deref(), Some("A caption"));
        assert_eq!(img.credit.as_deref(), Some("Photo Agency"));
        assert!(e.published.is_some());
    }

    #[test]
    fn finds_websub_hubs_and_the_self_link() {
        let rss = br#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<atom:link rel="hub" href="https://hub.example/"/><atom:link rel="self" href="/feed.xml"/>
<atom:link rel="hub" href="https://second.example/hub"/></channel></rss>"#;
        let base = Url::parse("https://example.org/x").unwrap();
        let feed = parse(rss, Some(&base)).unwrap();
        assert_eq!(
            feed.hubs,
            ["https://hub.example/", "https://second.example/hub"]
        );
        assert_eq!(
            feed.self_url.as_deref(),
            Some("https://example.org/feed.xml")
        );
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="alternate" href="https://example.org/"/>
<link rel="HUB" href="https://hub.example/"/><link rel="self" href="https://example.org/atom"/></feed>"#;
        let feed = parse(atom, None).unwrap();
        assert_eq!(feed.hubs, ["https://hub.example/"]);
        assert_eq!(feed.self_url.as_deref(), Some("https://example.org/atom"));
        assert_eq!(feed.link.as_deref(), Some("https://example.org/"));
        let plain = parse(
            br#"<rss version="2.0"><channel><title>t</title></channel></rss>"#,
            None,
        )
        .unwrap();
        assert!(plain.hubs.is_empty() && plain.self_url.is_none());
    }

    #[test]
    fn reads_atom_with_xhtml_and_base() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/" xml:lang="fr">
<title type="html">A &lt;em&gt;blog&lt;/em&gt;</title>
<author><name>Ann</name></author>
<entry><title>One</title><link href="posts/1"/><id>tag:1</id><updated>2025-05-25T10:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b></p></div></content></entry>
</feed>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.title.as_deref(), Some("A blog"));
        assert_eq!(feed.language.as_deref(), Some("fr"));
        let e = &feed.entries[0];
        assert_eq!(e.link.as_deref(), Some("https://example.org/blog/posts/1"));
        assert_eq!(e.authors[0].name, "Ann");
        assert!(
            e.content
                .as_deref()
                .unwrap()
                .contains("<p>Hi <b>there</b></p>")
        );
    }

    #[test]
    fn recovers_truncated_feed_and_flags_it() {
        let doc = b"<rss><channel><title>T</title><item><title>A</title></item><item><title>B";
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.entries.len(), 2);
        assert!(feed.malformed.is_some());
    }

    #[test]
    fn reads_atom_text_constructs_in_every_form() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom">
<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> feed</div></title>
<entry><title>Plain &lt;tags&gt; stay text</title>
<summary type="application/octet-stream">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p></div></content></entry>
</feed>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.version.as_deref(), Some("atom10"));
        assert_eq!(feed.title.as_deref(), Some("A bold feed"));
        let e = &feed.entries[0];
        assert_eq!(e.title.as_deref(), Some("Plain <tags> stay text"));
        // Base64 for a media type that is not text (RFC 4287 4.1.3.3).
        assert_eq!(e.summary.as_deref(), Some("Example <b>Atom</b>"));
        // Atom 1.0's XHTML wrapper div is not part of the content.
        assert_eq!(e.content.as_deref(), Some("<p>One</p>"));
        // Atom 0.3: naked markup, base64 mode, the div kept, `info`.
        let old = br#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><info>About</info>
<entry><title>Example <b>Atom</b></title><summary type="text/html" mode="base64">PHA+SGk8L3A+</summary>
<content type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">Hi</div></content>
<link rel="enclosure">http://example.com/file</link><link rel="alternate">http://example.com/page</link>
</entry></feed>"#;
        let feed = parse(old, None).unwrap();
        assert_eq!(feed.version.as_deref(), Some("atom03"));
        assert_eq!(feed.description.as_deref(), Some("About"));
        let e = &feed.entries[0];
        assert_eq!(e.title.as_deref(), Some("Example Atom"));
        assert_eq!(e.summary.as_deref(), Some("<p>Hi</p>"));
        assert!(e.content.as_deref().unwrap().starts_with("<div"));
        assert_eq!(e.link.as_deref(), Some("http://example.com/page"));
    }

    #[test]
    fn reads_rss_descriptions_escaped_in_cdata_or_naked() {
        let doc = br#"<!DOCTYPE rss [<!ENTITY site "tag:example.com,">]>
<rss version="0.91" xml:lang="en_US"><channel><author>me@example.com (Ed Itor)</author>
<itunes:category xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd" text="Tech"><itunes:category text="Gadgets"/></itunes:category>
<item><guid isPermaLink="false">&site;1</guid><description><![CDATA[a<br/>b]]></description></item>
<item xml:lang=""><description><p>Naked &amp; <b>bold</b></p></description>
<fullitem>&lt;p&gt;Full&lt;/p&gt;</fullitem><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2003-12-31T10:14:55Z</dc:date></item>
</channel></rss>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.malformed, None);
        assert_eq!(feed.version.as_deref(), Some("rss091u"));
        assert_eq!(feed.language.as_deref(), Some("en-US"));
        assert_eq!(feed.categories, ["Tech", "Gadgets"]);
        let editor = &feed.authors[0];
        assert_eq!(editor.name, "Ed Itor");
        assert_eq!(editor.email.as_deref(), Some("me@example.com"));
        let (first, second) = (&feed.entries[0], &feed.entries[1]);
        assert_eq!(first.id.as_deref(), Some("tag:example.com,1"));
        assert_eq!(first.summary.as_deref(), Some("a<br/>b"));
        assert_eq!(first.language.as_deref(), Some("en-US"));
        assert_eq!(
            second.summary.as_deref(),
            Some("<p>Naked &amp; <b>bold</b></p>")
        );
        assert_eq!(second.content.as_deref(), Some("<p>Full</p>"));
        assert_eq!(
            second.language, None,
            "an empty xml:lang ends the inheritance"
        );
        assert!(second.published.is_some() && second.updated == second.published);
    }

    #[test]
    fn reads_channel_definition_format() {
        let doc = br#"<CHANNEL HREF="http://www.example.org/" LASTMOD="2004-04-06T23:05:43-05:00">
<TITLE>Example feed</TITLE><ABSTRACT>About it</ABSTRACT>
<ITEM HREF="http://www.example.org/1"><TITLE>One</TITLE><ABSTRACT>First &amp; best</ABSTRACT></ITEM>
</CHANNEL>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.version.as_deref(), Some("cdf"));
        assert_eq!(feed.title.as_deref(), Some("Example feed"));
        assert_eq!(feed.link.as_deref(), Some("http://www.example.org/"));
        assert!(feed.updated.is_some());
        let e = &feed.entries[0];
        assert_eq!(e.link.as_deref(), Some("http://www.example.org/1"));
        assert_eq!(e.summary.as_deref(), Some("First &amp; best"));
    }

    #[test]
    fn rejects_html() {
        assert_eq!(
            parse(b"<html><body>hi</body></html>", None).unwrap_err(),
            FeedError::Html
        );
    }

    #[test]
    fn survives_a_garbled_declaration() {
        // Found by the fuzzer: a multi-byte character where the quote belongs.
        let doc = "<?xml version=\"1.0\" encoding=\u{FFFD}c\"utf-8\"?>\n<feed xmlns=\"h\x18\x18";
        let _ = parse(doc.as_bytes(), None);
    }

    #[test]
    fn transcodes_declared_encoding() {
        let mut doc =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Caf".to_vec();
        doc.push(0xE9);
        doc.extend_from_slice(b"</title></channel></rss>");
        let feed = parse(&doc, None).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Café"));
    }
}

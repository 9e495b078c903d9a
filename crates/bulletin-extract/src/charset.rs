//! Bytes to text: byte order mark, valid UTF-8, then the HTTP header's or
//! `<meta>`'s charset, then UTF-8 with replacement characters. Never fails.

use encoding_rs::Encoding;
use std::borrow::Cow;

/// Decodes an HTML document.
pub fn decode_html<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Cow<'a, str> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0;
    }
    let declared = content_type
        .and_then(charset_from_content_type)
        .or_else(|| charset_from_meta(&bytes[..bytes.len().min(4096)]));
    // Bytes that are valid UTF-8 are UTF-8 whatever the label says: pages
    // are often re-saved as UTF-8 with their old declaration, and text in a
    // legacy encoding almost never forms valid UTF-8.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    match declared {
        // A page served as UTF-16 without a BOM is almost always mislabelled.
        Some(enc) if enc != encoding_rs::UTF_8 && enc.is_ascii_compatible() => {
            enc.decode_without_bom_handling(bytes).0
        }
        _ => String::from_utf8_lossy(bytes),
    }
}

fn charset_from_content_type(ct: &str) -> Option<&'static Encoding> {
    let lower = ct.to_ascii_lowercase();
    let at = lower.find("charset=")?;
    let value = lower[at + 8..].trim_start_matches(['"', '\'']);
    let end = value
        .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
        .unwrap_or(value.len());
    Encoding::for_label(&value.as_bytes()[..end])
}

/// The charset a `<meta charset>` or `<meta http-equiv content>` tag
/// declares; `charset` attributes of other tags (scripts) say nothing about
/// the page.
fn charset_from_meta(head: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(at) = rest.find("<meta") {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        let tag = &rest[at..tag_end];
        rest = &rest[tag_end..];
        let Some(pos) = tag.find("charset") else {
            continue;
        };
        let Some(after) = tag[pos + 7..].trim_start().strip_prefix('=') else {
            continue;
        };
        let value = after.trim_start().trim_start_matches(['"', '\'']);
        let end = value
            .find(|c: char| {
                c == '"' || c == '\'' || c == ';' || c == '>' || c == '/' || c.is_whitespace()
            })
            .unwrap_or(value.len());
        if let Some(enc) = Encoding::for_label(&value.as_bytes()[..end]) {
            // A meta tag cannot really declare UTF-16: the bytes it is written in are ASCII.
            return Some(
                if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                    encoding_rs::UTF_8
                } else {
                    enc
                },
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_header_then_meta() {
        let latin1 = b"<meta charset=\"iso-8859-1\"><p>caf\xe9</p>";
        assert!(decode_html(latin1, None).contains("café"));
        assert!(
            decode_html(b"<p>caf\xe9</p>", Some("text/html; charset=windows-1252"))
                .contains("café")
        );
        assert!(decode_html("<p>café</p>".as_bytes(), Some("text/html")).contains("café"));
        assert!(decode_html(b"\xff\xfe\x00", None).len() < 8);
        // Re-saved as UTF-8 but still declaring GBK.
        assert!(decode_html("<meta charset=gb2312><p>中文</p>".as_bytes(), None).contains("中文"));
        // A script's charset attribute is not the page's.
        let gbk = b"<script src=a.js charset=\"utf-8\"></script><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><p>\xd6\xd0\xce\xc4</p>";
        assert!(decode_html(gbk, None).contains("中文"));
    }
}

//! Small helpers for text inside feeds.

use bulletin_core::entities::decode_entities;
use bulletin_core::text::collapse_whitespace;

/// Turns an HTML fragment into plain text: tags dropped, entities decoded,
/// whitespace collapsed. For titles and names, not for bodies.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return collapse_whitespace(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let starts_tag = rest[lt + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !starts_tag {
            out.push('<');
            rest = &rest[lt + 1..];
            continue;
        }
        match rest[lt..].find('>') {
            Some(gt) => {
                out.push(' ');
                rest = &rest[lt + gt + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    collapse_whitespace(&decode_entities(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_entities() {
        assert_eq!(
            html_to_text("<b>AT&amp;T</b>  wins&nbsp;big"),
            "AT&T wins big"
        );
        assert_eq!(html_to_text("plain  text\n"), "plain text");
        assert_eq!(html_to_text("broken <b"), "broken");
        assert_eq!(html_to_text("Fish <& chips> 1 < 2"), "Fish <& chips> 1 < 2");
    }
}

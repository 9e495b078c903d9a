//! Text helpers every stage shares, each written once: escaping for HTML
//! and XML, collapsing whitespace, cutting a text short.

/// Escapes text for an HTML or XML text node: `&`, `<` and `>` become
/// entities, and the control characters XML 1.0 forbids (which no page
/// shows) are dropped.
pub fn escape_text_into(out: &mut String, text: &str) {
    escape_into(out, text, false);
}

/// Escapes text for a double-quoted HTML or XML attribute value (every
/// attribute Bulletin writes is double-quoted), and for text anywhere: as
/// [`escape_text_into`], and `"` too.
pub fn escape_attribute_into(out: &mut String, text: &str) {
    escape_into(out, text, true);
}

/// Copies runs of plain text whole: only the bytes that start something to
/// escape or drop stop the copy (every page's text goes through here).
fn escape_into(out: &mut String, text: &str, quotes: bool) {
    let bytes = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' if quotes => ("&quot;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            // Control characters and U+FFFE / U+FFFF (EF BF BE / EF BF BF)
            // are dropped: XML 1.0 does not allow them in a document.
            0..=0x1f => ("", 1),
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                ("", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        // (`i` is at an ASCII byte or a character's first byte.)
        out.push_str(&text[run..i]);
        out.push_str(replacement);
        i += len;
        run = i;
    }
    out.push_str(&text[run..]);
}

/// [`escape_attribute_into`] into a new string: safe in text and in
/// attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_attribute_into(&mut out, text);
    out
}

/// Every run of whitespace as one space, none at either end.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `s` cut to at most `max` characters, at a word boundary when one is
/// in the second half, with an ellipsis when anything was cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_for_text_and_attributes() {
        let mut text = String::new();
        escape_text_into(&mut text, "a < b & \"c\"\u{1}");
        assert_eq!(text, "a &lt; b &amp; \"c\"");
        assert_eq!(escape("x\"y'z<>&"), "x&quot;y'z&lt;&gt;&amp;");
        assert_eq!(escape("tab\tline\nok\u{FFFF}"), "tab\tline\nok");
    }

    #[test]
    fn escapes_as_a_character_at_a_time_would() {
        fn forbidden_in_xml(c: char) -> bool {
            ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        }
        fn reference(text: &str, quotes: bool) -> String {
            let mut out = String::new();
            for c in text.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' if quotes => out.push_str("&quot;"),
                    c if forbidden_in_xml(c) => {}
                    c => out.push(c),
                }
            }
            out
        }
        let texts = [
            "",
            "plain",
            "<a href=\"x\">&amp;</a>",
            "\u{0}\u{1}\t\n\r\u{1f} \u{7f}",
            "é\u{FFFD}\u{FFFE}\u{FFFF}\u{FFFC}ï\u{EFFF}\u{F7FF}",
            "\u{FFFF}",
            "ends with &",
            "日本語 <b> \"quoted\" 😀",
        ];
        for text in texts {
            for quotes in [false, true] {
                let mut out = String::new();
                escape_into(&mut out, text, quotes);
                assert_eq!(out, reference(text, quotes), "{text:?} {quotes}");
            }
        }
    }

    #[test]
    fn collapses_whitespace() {
        assert_eq!(collapse_whitespace("  a \n\t b  c "), "a b c");
        assert_eq!(collapse_whitespace(""), "");
    }

    #[test]
    fn truncates_on_a_word_boundary() {
        let s = "word ".repeat(100);
        let t = truncate_chars(&s, 50);
        assert!(t.chars().count() <= 51 && t.ends_with('…'), "{t}");
        assert_eq!(truncate_chars("short", 50), "short");
    }
}

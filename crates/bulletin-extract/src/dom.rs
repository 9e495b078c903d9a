//! Small helpers over the parsed DOM.

use ego_tree::NodeRef;
use html5ever::local_name;
use scraper::Node;
use scraper::node::Element;
use std::borrow::Cow;

/// Whether an ancestor of `node` is one of the elements `names` (a figure,
/// say).
pub(crate) fn within(node: NodeRef<'_, Node>, names: &[&str]) -> bool {
    node.ancestors()
        .any(|a| matches!(a.value(), Node::Element(e) if names.contains(&e.name())))
}

/// Whether a token of `el`'s class or id, lowercased, satisfies `test`
/// ("image-caption", "about-author").
pub(crate) fn any_class_token(el: &Element, test: impl Fn(&str) -> bool) -> bool {
    [el.get_attr("class"), el.id()]
        .into_iter()
        .flatten()
        .flat_map(str::split_ascii_whitespace)
        .any(|token| test(&ascii_lowercase(token)))
}

/// `token` in ASCII lowercase, copied only when it has a capital: most class
/// tokens have none, and this runs on every element of every page.
pub(crate) fn ascii_lowercase(token: &str) -> Cow<'_, str> {
    if token.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(token.to_ascii_lowercase())
    } else {
        Cow::Borrowed(token)
    }
}

/// Substring search for the short class names, ids and labels the page's
/// elements are asked about, thousands of times a page: a scan for the
/// needle's first byte, where `str::contains` sets up a searcher per call
/// (it was a tenth of extraction time).
pub(crate) trait Has {
    fn has(&self, needle: &str) -> bool;
}

impl Has for str {
    #[inline]
    fn has(&self, needle: &str) -> bool {
        let (hay, needle) = (self.as_bytes(), needle.as_bytes());
        let Some((&first, rest)) = needle.split_first() else {
            return true;
        };
        if hay.len() < needle.len() {
            return false;
        }
        (0..=hay.len() - needle.len())
            .any(|i| hay[i] == first && hay[i + 1..i + needle.len()] == *rest)
    }
}

/// How many words the lists hold together.
pub(crate) const fn count(lists: &[&[&'static str]]) -> usize {
    let mut n = 0;
    let mut l = 0;
    while l < lists.len() {
        n += lists[l].len();
        l += 1;
    }
    n
}

/// The words of several lists as one, for a [`Words`] that looks for all
/// of them in one pass (`N` is their [`count`]).
pub(crate) const fn joined<const N: usize>(lists: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            out[n] = lists[l][i];
            n += 1;
            i += 1;
        }
        l += 1;
    }
    assert!(n == N, "N is the lists' count");
    out
}

#[inline(never)]
fn attr_by_text<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.attrs().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// A fixed set of lowercase ASCII words, looked for in a class, id or label
/// in one pass and without regard to ASCII case: each byte of the haystack
/// is checked only against the words that start with it. A predicate that
/// asks a token about fifteen words reads it once instead of fifteen times
/// (and needs no lowercased copy of it).
pub(crate) struct Words {
    words: &'static [&'static str],
    /// Bit `i` of the entry for a byte: word `i` starts with that byte (in
    /// either case).
    by_first: [u64; 256],
    /// The same for the second byte (every entry, for a one-letter word)
    /// and the third (every entry, for a word of one or two): together they
    /// leave few candidates to compare.
    by_second: [u64; 256],
    by_third: [u64; 256],
}

impl Words {
    pub(crate) const fn new(words: &'static [&'static str]) -> Self {
        assert!(words.len() <= 64, "at most 64 words");
        let mut by_first = [0u64; 256];
        let mut by_second = [0u64; 256];
        let mut by_third = [0u64; 256];
        let mut i = 0;
        while i < words.len() {
            let bytes = words[i].as_bytes();
            assert!(!bytes.is_empty(), "no empty word");
            let mut j = 0;
            while j < bytes.len() {
                assert!(!bytes[j].is_ascii_uppercase(), "words are lowercase");
                j += 1;
            }
            Self::mark(&mut by_first, bytes, 0, 1 << i);
            Self::mark(&mut by_second, bytes, 1, 1 << i);
            Self::mark(&mut by_third, bytes, 2, 1 << i);
            i += 1;
        }
        Words {
            words,
            by_first,
            by_second,
            by_third,
        }
    }

    /// Sets `bit` in `table` for the word's byte `at` in either case, or for
    /// every byte when the word is shorter.
    const fn mark(table: &mut [u64; 256], word: &[u8], at: usize, bit: u64) {
        if at < word.len() {
            table[word[at] as usize] |= bit;
            table[word[at].to_ascii_uppercase() as usize] |= bit;
        } else {
            let mut b = 0;
            while b < 256 {
                table[b] |= bit;
                b += 1;
            }
        }
    }

    /// The bits of `words`, each one of the words.
    pub(crate) const fn mask(&self, words: &[&str]) -> u64 {
        let mut mask = 0;
        let mut i = 0;
        while i < words.len() {
            mask |= self.bit(words[i]);
            i += 1;
        }
        mask
    }

    /// Which of the words occur in `hay`: bit `i` for the `i`th word.
    pub(crate) fn found_in(&self, hay: &str) -> u64 {
        self.scan(hay.as_bytes(), false)
    }

    /// Whether any of the words occurs in `hay`.
    pub(crate) fn any_in(&self, hay: &str) -> bool {
        self.scan(hay.as_bytes(), true) != 0
    }

    /// The bit of `word` in [`Words::found_in`]'s answer (a compile-time
    /// error in a `const` when it is not one of the words).
    pub(crate) const fn bit(&self, word: &str) -> u64 {
        let mut i = 0;
        while i < self.words.len() {
            if self.words[i]
                .as_bytes()
                .eq_ignore_ascii_case(word.as_bytes())
            {
                return 1 << i;
            }
            i += 1;
        }
        panic!("not one of the words")
    }

    fn scan(&self, hay: &[u8], first_only: bool) -> u64 {
        let mut found = 0u64;
        for (i, &b) in hay.iter().enumerate() {
            let mut candidates = self.by_first[usize::from(b)] & !found;
            if candidates == 0 {
                continue;
            }
            // (Past the end, a byte no longer word has.)
            let next = hay.get(i + 1).copied().unwrap_or(0);
            candidates &= self.by_second[usize::from(next)];
            if candidates == 0 {
                continue;
            }
            let third = hay.get(i + 2).copied().unwrap_or(0);
            candidates &= self.by_third[usize::from(third)];
            while candidates != 0 {
                let w = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let word = self.words[w].as_bytes();
                if hay
                    .get(i..i + word.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(word))
                {
                    found |= 1 << w;
                    if first_only {
                        return found;
                    }
                }
            }
        }
        found
    }
}

/// The openings of a set of labels ("by ", "Lesen Sie auch"), by their first
/// two bytes without ASCII case: a test that turns away, at the cost of one
/// lookup, nearly every text that opens with no label. It answers "maybe"
/// for texts that open outside ASCII (their lowercase is not a byte away)
/// and leaves the full comparison to the caller.
pub(crate) struct Openings {
    /// One bit per pair of lowercase ASCII bytes.
    pairs: [u64; 1024],
}

impl Openings {
    pub(crate) const fn new(lists: &[&[&str]]) -> Self {
        let mut pairs = [0u64; 1024];
        let mut l = 0;
        while l < lists.len() {
            let mut i = 0;
            while i < lists[l].len() {
                let bytes = lists[l][i].as_bytes();
                assert!(bytes.len() >= 2, "labels have two bytes or more");
                // Labels that open outside ASCII are only ever met by texts
                // that do too, which are always let through.
                if bytes[0].is_ascii() && bytes[1].is_ascii() {
                    let pair = Self::pair(bytes[0], bytes[1]);
                    pairs[pair / 64] |= 1 << (pair % 64);
                }
                i += 1;
            }
            l += 1;
        }
        Openings { pairs }
    }

    const fn pair(first: u8, second: u8) -> usize {
        ((first.to_ascii_lowercase() as usize) << 8 | second.to_ascii_lowercase() as usize) & 0xffff
    }

    /// False when no label can open `text`.
    pub(crate) fn may_open(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        // (Every label has two bytes or more.)
        let (Some(&first), Some(&second)) = (bytes.first(), bytes.get(1)) else {
            return false;
        };
        if !first.is_ascii() || !second.is_ascii() {
            return true;
        }
        let pair = Self::pair(first, second);
        self.pairs[pair / 64] & (1 << (pair % 64)) != 0
    }
}

/// Attribute lookup by name without interning it: scraper's `attr` turns the
/// name into an atom (a hashed, locked global table) on every call, which
/// showed as a tenth of extraction time.
pub(crate) trait GetAttr {
    fn get_attr(&self, name: &str) -> Option<&str>;
}

impl GetAttr for Element {
    /// The names asked for most are compared as atoms (one integer
    /// comparison per attribute; a name in html5ever's static set is always
    /// that atom), the rest as text.
    // (Inlined, the name given is matched when compiling.)
    #[inline(always)]
    fn get_attr(&self, name: &str) -> Option<&str> {
        let atom = match name {
            "class" => local_name!("class"),
            "id" => local_name!("id"),
            "href" => local_name!("href"),
            "itemprop" => local_name!("itemprop"),
            "datetime" => local_name!("datetime"),
            "aria-hidden" => local_name!("aria-hidden"),
            "src" => local_name!("src"),
            "srcset" => local_name!("srcset"),
            "rel" => local_name!("rel"),
            "content" => local_name!("content"),
            "title" => local_name!("title"),
            "role" => local_name!("role"),
            "type" => local_name!("type"),
            "style" => local_name!("style"),
            "property" => local_name!("property"),
            "name" => local_name!("name"),
            "lang" => local_name!("lang"),
            "hidden" => local_name!("hidden"),
            "alt" => local_name!("alt"),
            _ => return attr_by_text(self, name),
        };
        self.attrs
            .iter()
            .find(|(n, _)| n.local == atom)
            .map(|(_, v)| &**v)
    }
}

#[cfg(test)]
mod tests {
    use super::{Has, Openings, Words};

    #[test]
    fn openings_turn_away_only_texts_no_label_opens() {
        const LABELS: &[&str] = &["by ", "von ", "über ", "à lire"];
        const OPENINGS: Openings = Openings::new(&[LABELS]);
        for text in [
            "By Ana",
            "BY ANA",
            "von X",
            "Über uns",
            "à lire",
            "À LIRE",
            "ü",
            "\u{212a}x",
        ] {
            assert!(OPENINGS.may_open(text), "{text:?}");
        }
        for text in ["", "a", "b", "Bx", "The end", "xy", "Vo"] {
            let lower = text.to_lowercase();
            let a_prefix = LABELS
                .iter()
                .any(|l| l.starts_with(&lower) && lower.len() >= 2);
            assert_eq!(OPENINGS.may_open(text), a_prefix, "{text:?}");
        }
    }

    #[test]
    fn words_finds_what_lowercased_contains_finds() {
        const WORDS: Words = Words::new(&[
            "author", "autor", "a", "aab", "name", "related", "é", "x", "ex",
        ]);
        let hays = [
            "",
            "a",
            "Author",
            "entry-AUTHOR-name",
            "über-autor",
            "aaab",
            "RELATED",
            "xrelatex",
            "café",
            "CAFÉ",
            "x",
            "EX",
            "ex-",
            "-x",
        ];
        for hay in hays {
            let lower = hay.to_ascii_lowercase();
            let mut expected = 0;
            for (i, word) in WORDS.words.iter().enumerate() {
                if lower.has(word) {
                    expected |= 1 << i;
                }
            }
            assert_eq!(WORDS.found_in(hay), expected, "{hay:?}");
            assert_eq!(WORDS.any_in(hay), expected != 0, "{hay:?}");
        }
        assert_eq!(WORDS.bit("name"), 1 << 4);
    }

    #[test]
    fn has_finds_what_contains_finds() {
        let hays = [
            "",
            "a",
            "author",
            "entry-author-name",
            "über-autor",
            "aaab",
            "related",
        ];
        let needles = [
            "", "a", "author", "autor", "aab", "name", "ü", "related", "relatedx",
        ];
        for hay in hays {
            for needle in needles {
                assert_eq!(hay.has(needle), hay.contains(needle), "{hay:?} {needle:?}");
            }
        }
    }
}

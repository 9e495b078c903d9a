//! Sentences of news text, by rules that survive "Dr.", "U.S.", "Jan. 5",
//! initials, decimals and quotations.

/// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt", "st",
    "jr", "sr", "rev", "hon", "pres", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "no", "vs", "etc", "inc", "corp", "co", "ltd", "dept", "univ",
    "mt", "ft", "fig", "approx", "e.g", "i.e", "u.s", "u.k", "u.n", "d.c", "a.m", "p.m",
];

/// Sentences as character ranges `start..end` of `chars`; `end` is after
/// the closing punctuation (and a closing quotation mark that follows it).
pub fn sentence_bounds(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let paragraph = c == '\n' && i + 1 < n && chars[i + 1] == '\n';
        if matches!(c, '.' | '!' | '?') || paragraph {
            let mut end = i + 1;
            // Closing quotes and brackets belong to the sentence.
            while end < n && matches!(chars[end], '”' | '"' | '’' | '\'' | ')') {
                end += 1;
            }
            let next_starts = end >= n
                || (chars[end].is_whitespace() && {
                    let mut k = end;
                    while k < n && chars[k].is_whitespace() {
                        k += 1;
                    }
                    k >= n
                        || chars[k].is_uppercase()
                        || chars[k].is_ascii_digit()
                        || matches!(chars[k], '“' | '"' | '‘' | '(' | '—')
                        || (chars[k] == '\'' && chars.get(k + 1) == Some(&'\''))
                });
            if paragraph || (next_starts && !(c == '.' && is_abbreviation(chars, start, i))) {
                if chars[start..end].iter().any(|c| !c.is_whitespace()) {
                    out.push(trimmed(chars, start, end));
                }
                start = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if start < n && chars[start..].iter().any(|c| !c.is_whitespace()) {
        out.push(trimmed(chars, start, n));
    }
    out
}

fn trimmed(chars: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// Whether the period at `dot` ends an abbreviation or an initial.
fn is_abbreviation(chars: &[char], floor: usize, dot: usize) -> bool {
    let mut k = dot;
    while k > floor && !chars[k - 1].is_whitespace() && !matches!(chars[k - 1], '(' | '“' | '"') {
        k -= 1;
    }
    let word: String = chars[k..dot].iter().collect::<String>().to_lowercase();
    if word.is_empty() {
        return false;
    }
    // A single letter: an initial ("John F. Kennedy").
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) {
        return true;
    }
    // Dotted letters: "U.S", "D.C".
    if word.contains('.') && word.split('.').all(|p| p.chars().count() <= 2) {
        return true;
    }
    ABBREVIATIONS.contains(&word.as_str())
}

/// The sentences of `text`, as character ranges.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    sentence_bounds(&chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        sentences(text)
            .into_iter()
            .map(|(s, e)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn survives_abbreviations_initials_and_quotes() {
        assert_eq!(
            split(
                "Dr. Ana Ruiz met U.S. officials on Jan. 5 in Washington. John F. Kennedy was not there. “It went well,” she said. Then she left."
            ),
            vec![
                "Dr. Ana Ruiz met U.S. officials on Jan. 5 in Washington.",
                "John F. Kennedy was not there.",
                "“It went well,” she said.",
                "Then she left.",
            ]
        );
    }

    #[test]
    fn paragraphs_end_sentences() {
        assert_eq!(
            split("A headline\n\nThe body starts here."),
            vec!["A headline", "The body starts here."]
        );
    }
}

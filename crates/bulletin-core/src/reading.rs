//! Word counts and reading time.

/// Average adult silent reading speed used for "N min read".
pub const WORDS_PER_MINUTE: usize = 230;

/// Counts the words of `text`. Runs of letters or digits count as one word;
/// each CJK ideograph, kana or hangul syllable counts as one word, since those
/// scripts do not separate words with spaces.
pub fn count_words(text: &str) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for c in text.chars() {
        // Most text is ASCII: decided without the Unicode tables.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                words += usize::from(!in_word);
                in_word = true;
            } else if !(in_word && (c == '\'' || c == '-')) {
                in_word = false;
            }
            continue;
        }
        if is_cjk(c) {
            words += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                words += 1;
                in_word = true;
            }
        } else if !(in_word && (c == '\'' || c == '’' || c == '-')) {
            in_word = false;
        }
    }
    words
}

/// Minutes to read `word_count` words: at least one minute, rounded to the
/// nearest minute.
pub fn reading_time_minutes(word_count: usize) -> u32 {
    let minutes = (word_count + WORDS_PER_MINUTE / 2) / WORDS_PER_MINUTE;
    minutes.max(1) as u32
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // hiragana, katakana
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // hangul syllables
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_latin_words() {
        assert_eq!(count_words("Hello, world! It's a fine-tuned day."), 6);
        assert_eq!(count_words(""), 0);
        assert_eq!(count_words("  \n\n "), 0);
    }

    #[test]
    fn counts_cjk_by_character() {
        assert_eq!(count_words("東京は晴れ"), 5);
        assert_eq!(count_words("Tokyo 東京"), 3);
    }

    #[test]
    fn reading_time_is_at_least_one_minute() {
        assert_eq!(reading_time_minutes(0), 1);
        assert_eq!(reading_time_minutes(100), 1);
        assert_eq!(reading_time_minutes(460), 2);
        assert_eq!(reading_time_minutes(230 * 10 + 200), 11);
    }
}

//! Where a claim was made, when the article says: "in an interview with
//! Ukrinform", "on Telegram", "in a statement", "at a news conference",
//! "on CNN's State of the Union".

use super::{Attribution, Norm, Span, overlap};
use crate::lexicon::Lexicon;

/// Things said things are said in.
static MEDIA: Lexicon = Lexicon::new(&[
    "interview",
    "statement",
    "tweet",
    "post",
    "speech",
    "letter",
    "email",
    "e-mail",
    "op-ed",
    "video",
    "podcast",
    "conference",
    "briefing",
    "rally",
    "debate",
    "appearance",
    "message",
    "memo",
    "broadcast",
    "hearing",
    "blog",
    "column",
    "essay",
    "address",
    "remarks",
    "testimony",
    "town",
    "call",
    "call-in",
    "show",
    "program",
    "programme",
    "radio",
    "television",
    "documentary",
    "book",
]);

/// Services and networks named after "on".
const PLATFORMS: &[&str] = &[
    "telegram",
    "twitter",
    "x",
    "facebook",
    "instagram",
    "tiktok",
    "youtube",
    "truth",
    "linkedin",
    "threads",
    "bluesky",
    "mastodon",
    "weibo",
    "wechat",
    "vk",
    "substack",
];

/// How far from the cue (in characters) a channel may start.
const NEAR: usize = 40;
/// How far past that the words of a channel are read.
const REACH: usize = 200;

struct Tok {
    start: usize,
    end: usize,
    norm: Norm,
    capital: bool,
}

fn toks(chars: &[char], start: usize, end: usize) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        while i < end && !(chars[i].is_alphanumeric()) {
            i += 1;
        }
        let s = i;
        while i < end && (chars[i].is_alphanumeric() || matches!(chars[i], '-' | '’' | '\'')) {
            i += 1;
        }
        let mut e = i;
        while e > s && matches!(chars[e - 1], '’' | '\'' | '-') {
            e -= 1;
        }
        if s < e {
            out.push(Tok {
                start: s,
                end: e,
                norm: Norm::new(&chars[s..e]),
                capital: chars[s].is_uppercase(),
            });
        }
    }
    out
}

/// The channel of `a` in its sentence `ss..se`: a phrase after "in", "on",
/// "during" or "at" that names a medium or a platform, outside the
/// content and the source, within a few words of the cue.
pub fn channel(chars: &[char], (ss, se): (usize, usize), a: &Attribution) -> Option<Span> {
    // Only words near the cue start a channel, and a channel runs a dozen
    // words at most: the rest of a long sentence is not read. The window
    // starts at a word's start.
    let mut from = a.cue.start.saturating_sub(NEAR + 1).max(ss);
    while from > ss && chars[from - 1].is_alphanumeric() {
        from -= 1;
    }
    let to = se.max(a.cue.end).min(a.cue.end + NEAR + REACH);
    let ws = toks(chars, from, to);
    let outside = |t: &Tok| {
        overlap(t.start, t.end, a.content.start, a.content.end) == 0
            && a.source
                .as_ref()
                .is_none_or(|s| overlap(t.start, t.end, s.start, s.end) == 0)
    };
    let near = |t: &Tok| {
        let d = if t.end <= a.cue.start {
            a.cue.start - t.end
        } else {
            t.start.saturating_sub(a.cue.end)
        };
        d <= NEAR
    };
    for (i, w) in ws.iter().enumerate() {
        if !w.norm.is_any(&["in", "on", "during", "at"]) || !outside(w) || !near(w) {
            continue;
        }
        // The phrase: up to 4 words to its noun.
        let mut end = None;
        for (k, t) in ws.iter().enumerate().skip(i + 1).take(5) {
            if !outside(t) {
                break;
            }
            let platform = k == i + 1 && t.norm.is_any(PLATFORMS) && t.capital;
            let network = k == i + 1
                && w.norm == "on"
                && t.capital
                && t.norm.len() > 1
                && !crate::dates::is_calendar_word(&t.norm);
            if MEDIA.has(t.norm) || platform || network {
                end = Some(k);
                if platform || network {
                    // "on CNN's State of the Union": the capitalized run.
                    let mut j = k + 1;
                    while j < ws.len()
                        && outside(&ws[j])
                        && (ws[j].capital || ws[j].norm.is_any(&["of", "the"]))
                        && j - k < 6
                    {
                        j += 1;
                    }
                    while j > k + 1 && !ws[j - 1].capital {
                        j -= 1;
                    }
                    end = Some(j - 1);
                }
                break;
            }
        }
        let Some(mut last) = end else { continue };
        // "with Ukrinform", "to supporters", "on Fox News": who it was
        // given to or on, when named.
        if let Some(next) = ws.get(last + 1)
            && next.norm.is_any(&["with", "on", "to", "for"])
            && outside(next)
        {
            let mut j = last + 2;
            while j < ws.len()
                && outside(&ws[j])
                && ws[j].capital
                && !crate::dates::is_calendar_word(&ws[j].norm)
                && j - last < 6
            {
                j += 1;
            }
            if j > last + 2 {
                last = j - 1;
            }
        }
        let text: String = chars[w.start..ws[last].end].iter().collect();
        return Some(Span {
            start: w.start,
            end: ws[last].end,
            text,
        });
    }
    None
}

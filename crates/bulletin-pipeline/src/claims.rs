//! Claims: who said what in each item, found by `bulletin_claims` as items
//! are filed, and handed to the store with the filing batch.

use bulletin_claims::{Attribution, SpeakerKind, attributions_published};
use bulletin_store::{EntityKind, FilingItem, ItemClaims, NewClaim, NewSpeaker};

/// The claims of each item (items with none get an empty list, which
/// clears what they had). The rules read English: an item in another
/// language has none.
pub fn claims_of(items: &[FilingItem]) -> Vec<ItemClaims> {
    items
        .iter()
        .map(|item| ItemClaims {
            item: item.id,
            claims: if may_be_english(item.lang.as_deref()) {
                attributions_published(&item.text, Some(item.published_at.date_naive()))
                    .into_iter()
                    .map(claim)
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// English, or a language not known (most feeds say none).
fn may_be_english(lang: Option<&str>) -> bool {
    lang.is_none_or(|l| {
        let primary = l.split(['-', '_']).next().unwrap_or(l);
        primary.is_empty() || primary.eq_ignore_ascii_case("en")
    })
}

fn claim(a: Attribution) -> NewClaim {
    let speaker = a.speaker.map(|name| NewSpeaker {
        kind: match a.speaker_kind {
            Some(SpeakerKind::Organisation) => EntityKind::Organisation,
            Some(SpeakerKind::Place) => EntityKind::Place,
            Some(SpeakerKind::Person) | None => EntityKind::Person,
        },
        name,
    });
    NewClaim {
        speaker,
        source: a.source.map(|s| s.text),
        cue: a.cue.text,
        content: a.content.text,
        direct: a.direct,
        role: a.role,
        channel: a.channel.map(|c| c.text),
        said_from: a.period.as_ref().map(|p| p.from),
        said_to: a.period.as_ref().map(|p| p.to),
        said_text: a.period.map(|p| p.text.text),
        start: u32::try_from(a.content.start).unwrap_or(u32::MAX),
        end: u32::try_from(a.content.end).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulletin_core::{ItemId, SourceId};

    fn item(lang: Option<&str>, text: &str) -> FilingItem {
        FilingItem {
            id: ItemId(1),
            source: SourceId(1),
            title: None,
            url: None,
            published_at: chrono::Utc::now(),
            text: text.into(),
            lang: lang.map(String::from),
            story_id: None,
            duplicate_of: None,
        }
    }

    #[test]
    fn claims_are_found_in_english_or_unknown_languages_only() {
        let said = "The minister said the talks would resume next week.";
        for (lang, expected) in [
            (None, 1),
            (Some("en"), 1),
            (Some("en-GB"), 1),
            (Some("EN_us"), 1),
            (Some("fr"), 0),
            (Some("de-DE"), 0),
        ] {
            let found = claims_of(&[item(lang, said)]);
            assert_eq!(found[0].claims.len(), expected, "{lang:?}");
        }
    }
}

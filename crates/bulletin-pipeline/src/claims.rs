//! Claims: who said what in each item, found by `bulletin_claims` as items
//! are filed, and handed to the store with the filing batch.

use bulletin_claims::{Attribution, SpeakerKind, attributions_published};
use bulletin_store::{EntityKind, FilingItem, ItemClaims, NewClaim, NewSpeaker};

/// The claims of each item (items with none get an empty list, which
/// clears what they had).
pub fn claims_of(items: &[FilingItem]) -> Vec<ItemClaims> {
    items
        .iter()
        .map(|item| ItemClaims {
            item: item.id,
            claims: attributions_published(&item.text, Some(item.published_at.date_naive()))
                .into_iter()
                .map(claim)
                .collect(),
        })
        .collect()
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

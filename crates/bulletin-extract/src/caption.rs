//! Picture captions and credits.

/// Splits a caption into what the picture shows and who made it:
/// "Crowds in Beijing. (Photo by Jane Doe / AFP via Getty Images)" gives
/// ("Crowds in Beijing.", "Jane Doe / AFP via Getty Images").
/// Returns the caption unchanged when no credit is recognizable.
pub fn split_caption_credit(caption: &str) -> (Option<String>, Option<String>) {
    let caption = caption.trim();
    if caption.is_empty() {
        return (None, None);
    }
    // A trailing parenthesis: "(Photo by X)", "(Photo: X)", "(X/AFP)".
    if caption.ends_with(')')
        && let Some(open) = caption.rfind('(')
    {
        let inner = caption[open + 1..caption.len() - 1].trim();
        if let Some(credit) = strip_credit_label(inner).or_else(|| {
            (looks_like_agency(inner) || names_and_outlet(inner)).then(|| inner.to_string())
        }) {
            return (non_empty(&caption[..open]), non_empty(&credit));
        }
    }
    // A trailing labelled sentence: "… Photo: X", "… Credit: X", "… © X".
    for label in LABELS {
        if let Some(pos) = find_label(caption, label) {
            let credit = caption[pos + label.len()..]
                .trim_start_matches([':', ' '])
                .trim();
            if !credit.is_empty() && credit.len() < 120 {
                return (non_empty(&caption[..pos]), non_empty(credit));
            }
        }
    }
    if let Some(pos) = caption.rfind('©') {
        let credit = caption[pos + '©'.len_utf8()..].trim();
        if !credit.is_empty() && credit.len() < 120 {
            return (non_empty(&caption[..pos]), non_empty(credit));
        }
    }
    (Some(caption.to_string()), None)
}

const LABELS: &[&str] = &[
    "Photograph by ",
    "Photograph: ",
    "Photo by ",
    "Photo: ",
    "Photos: ",
    "Picture: ",
    "Image: ",
    "Credit: ",
    "Image credit: ",
    "Foto: ",
    "Bild: ",
    "Crédit : ",
    "Crédit: ",
];

fn find_label(caption: &str, label: &str) -> Option<usize> {
    let lower = caption.to_lowercase();
    let needle = label.to_lowercase();
    let pos = lower.rfind(&needle)?;
    // Only at the start, or after a sentence end or separator.
    let before = lower[..pos].trim_end();
    (before.is_empty() || before.ends_with(['.', '|', '–', '—', '-', '/', '!', '?'])).then_some(pos)
}

/// A credit without the label it may open with ("Photo: Ana Lopes" is
/// "Ana Lopes", "© AFP" is "AFP").
pub(crate) fn without_credit_label(credit: &str) -> String {
    let credit = credit.trim();
    let credit = credit
        .strip_prefix('(')
        .and_then(|c| c.strip_suffix(')'))
        .unwrap_or(credit)
        .trim();
    let credit = credit.trim_start_matches('©').trim();
    strip_credit_label(credit).unwrap_or_else(|| credit.to_string())
}

fn strip_credit_label(inner: &str) -> Option<String> {
    let lower = inner.to_lowercase();
    for prefix in [
        "photo by ",
        "photos by ",
        "photograph by ",
        "image by ",
        "photo: ",
        "photo ",
        "credit: ",
        "picture: ",
        "foto: ",
        "image: ",
    ] {
        if lower.starts_with(prefix) {
            return Some(inner[prefix.len()..].trim().to_string());
        }
    }
    None
}

fn looks_like_agency(inner: &str) -> bool {
    const AGENCIES: &[&str] = &[
        "AFP",
        "Reuters",
        "AP",
        "Getty",
        "EPA",
        "dpa",
        "Shutterstock",
        "Bloomberg",
        "Xinhua",
        "Pool",
        "ANSA",
    ];
    inner.len() < 100
        && (inner.contains('/') || inner.contains(" via "))
        && AGENCIES
            .iter()
            .any(|a| inner.split(|c: char| !c.is_alphanumeric()).any(|w| w == *a))
}

/// "Ellen M. Banner / The Seattle Times", "Jo Lens/City Times": names
/// joined by slashes, as photographers and their outlets are credited.
fn names_and_outlet(inner: &str) -> bool {
    let parts: Vec<&str> = inner.split('/').map(str::trim).collect();
    parts.len() >= 2
        && inner.split_whitespace().count() <= 12
        && parts
            .iter()
            .all(|p| p.chars().next().is_some_and(char::is_uppercase))
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches(['|', '–', '—']).trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_common_forms() {
        assert_eq!(
            split_caption_credit(
                "Putin in Beijing on May 16, 2024. (Photo by Alexander Ryumin / Pool / AFP via Getty Images)"
            ),
            (
                Some("Putin in Beijing on May 16, 2024.".into()),
                Some("Alexander Ryumin / Pool / AFP via Getty Images".into())
            )
        );
        assert_eq!(
            split_caption_credit("Flooded streets in Lagos. Photo: Jane Roe/Reuters"),
            (
                Some("Flooded streets in Lagos.".into()),
                Some("Jane Roe/Reuters".into())
            )
        );
        assert_eq!(
            split_caption_credit("A cat (left) and a dog"),
            (Some("A cat (left) and a dog".into()), None)
        );
        assert_eq!(
            split_caption_credit("Halibut on sale. (Ellen M. Banner / The Seattle Times)"),
            (
                Some("Halibut on sale.".into()),
                Some("Ellen M. Banner / The Seattle Times".into())
            )
        );
        // A slash that joins no names is no credit.
        assert_eq!(
            split_caption_credit("Sales rose (year/year)"),
            (Some("Sales rose (year/year)".into()), None)
        );
        assert_eq!(
            split_caption_credit("Sunset (John Smith/AFP)"),
            (Some("Sunset".into()), Some("John Smith/AFP".into()))
        );
        assert_eq!(
            split_caption_credit("Harbour © Jan Berg"),
            (Some("Harbour".into()), Some("Jan Berg".into()))
        );
    }
}

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
    // Only names and their outlet: "Devindra Hardawar/AOL".
    if names_and_outlet(caption) && !caption.contains(['(', '.']) {
        return (None, non_empty(caption));
    }
    // A trailing parenthesis: "(Photo by X)", "(Photo: X)", "(X/AFP)".
    if caption.ends_with(')')
        && let Some(open) = caption.rfind('(')
    {
        let inner = caption[open + 1..caption.len() - 1].trim();
        if let Some(credit) = strip_credit_label(inner).or_else(|| {
            (looks_like_agency(inner)
                || names_and_outlet(inner)
                || a_name(inner)
                || CREDIT_NOUNS.contains(&inner.to_lowercase().as_str()))
            .then(|| inner.to_string())
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
    // A last sentence of names and their outlet: "… on Thursday. Anthony
    // Wallace / AFP - Getty Images", "… políticos. EFE | Confidencial".
    if let Some(pos) = caption.rfind(". ") {
        let tail = caption[pos + 2..].trim();
        if names_and_outlet(tail) {
            return (non_empty(&caption[..pos + 1]), non_empty(tail));
        }
    }
    (Some(caption.to_string()), None)
}

/// A caption without a label left at its end when the markup set the
/// credit apart ("… voluntades. Foto:" before `<span class="credit">`).
pub(crate) fn without_trailing_label(caption: &str) -> &str {
    let trimmed = caption.trim_end();
    let lower = trimmed.to_lowercase();
    for label in LABELS {
        let label = label.trim_end().trim_end_matches(':').to_lowercase();
        for ending in [format!("{label}:"), label.clone()] {
            if lower.ends_with(&ending) {
                let cut = trimmed.len() - ending.len();
                let before = trimmed[..cut].trim_end();
                if before.is_empty() || before.ends_with(['.', '!', '?', '|', '–', '—', '-']) {
                    return before;
                }
            }
        }
    }
    trimmed
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
    "Quelle: ",
    "Crédit : ",
    "Crédit: ",
];

fn find_label(caption: &str, label: &str) -> Option<usize> {
    let lower = caption.to_lowercase();
    let needle = label.to_lowercase();
    let pos = lower.rfind(&needle)?;
    // Only at the start, or after a sentence end or separator.
    let before = lower[..pos].trim_end();
    (before.is_empty()
        || before.ends_with(['.', '|', '–', '—', '-', '/', '!', '?', '»', '”', '"', ')']))
    .then_some(pos)
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
        "photograph: ",
        "image by ",
        "image credit: ",
        "photo: ",
        "photo ",
        "credit: ",
        "credit...",
        "credit ",
        "picture: ",
        "foto: ",
        "bild: ",
        "quelle: ",
        "image: ",
    ] {
        if lower.starts_with(prefix) {
            return Some(inner[prefix.len()..].trim().to_string());
        }
    }
    None
}

/// Photo agencies.
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

/// A caption's line standing alone that is a credit: labelled ("Foto:
/// X"), names and an outlet ("Jo Lens/City Times"), or opening with a photo
/// agency or stock library ("Fotolia 755112 – deadline concept"). The
/// credit, without its label.
pub(crate) fn as_credit_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.len() > 120 {
        return None;
    }
    if let Some(credit) = strip_credit_label(line) {
        return Some(credit);
    }
    let first = line
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())?;
    (names_and_outlet(line) || AGENCIES.contains(&first) || STOCK_LIBRARIES.contains(&first))
        .then(|| line.to_string())
}

/// Picture libraries credited by name.
const STOCK_LIBRARIES: &[&str] = &[
    "Fotolia",
    "iStock",
    "iStockphoto",
    "Adobe",
    "Shutterstock",
    "Unsplash",
    "Pixabay",
    "Pexels",
    "Imago",
    "Alamy",
    "Depositphotos",
    "Dreamstime",
    "123RF",
    "Wikimedia",
];

/// What a caption may end with in brackets instead of a name: "(screen
/// grab)", "(handout)", "(file photo)".
const CREDIT_NOUNS: &[&str] = &[
    "screen grab",
    "screengrab",
    "screenshot",
    "screen shot",
    "handout",
    "file photo",
    "archive photo",
    "submitted photo",
    "courtesy photo",
];

fn looks_like_agency(inner: &str) -> bool {
    inner.len() < 100
        && (inner.contains('/') || inner.contains(" via "))
        && AGENCIES
            .iter()
            .any(|a| inner.split(|c: char| !c.is_alphanumeric()).any(|w| w == *a))
}

/// "Ellen M. Banner / The Seattle Times", "Jo Lens/City Times": names
/// joined by slashes, as photographers and their outlets are credited.
fn names_and_outlet(inner: &str) -> bool {
    let parts: Vec<&str> = inner.split(['/', '|']).map(str::trim).collect();
    parts.len() >= 2
        && inner.split_whitespace().count() <= 12
        && parts
            .iter()
            .all(|p| p.chars().next().is_some_and(char::is_uppercase))
}

/// "Carlos Saucedo", "FUENTE EXTERNA": two to four capitalized words, as
/// a photographer or a source is named in brackets after a caption.
fn a_name(inner: &str) -> bool {
    let words: Vec<&str> = inner.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
        })
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
        assert_eq!(
            split_caption_credit("A torso was found on Nov. 8, 2023. (Carlos Saucedo)"),
            (
                Some("A torso was found on Nov. 8, 2023.".into()),
                Some("Carlos Saucedo".into())
            )
        );
        assert_eq!(
            split_caption_credit("Students at the gate. EFE | Confidencial"),
            (
                Some("Students at the gate.".into()),
                Some("EFE | Confidencial".into())
            )
        );
        assert_eq!(
            split_caption_credit("«Ich bin gegangen.» Bild: Albina Akhmedova"),
            (
                Some("«Ich bin gegangen.»".into()),
                Some("Albina Akhmedova".into())
            )
        );
        assert_eq!(without_trailing_label("Leaders met. Foto:"), "Leaders met.");
        assert_eq!(
            without_trailing_label("A photo: of cats"),
            "A photo: of cats"
        );
        // An acronym or a word in brackets is no credit.
        assert_eq!(
            split_caption_credit("The entrance of the university (UCA)"),
            (Some("The entrance of the university (UCA)".into()), None)
        );
        assert_eq!(
            split_caption_credit("Devindra Hardawar/AOL"),
            (None, Some("Devindra Hardawar/AOL".into()))
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

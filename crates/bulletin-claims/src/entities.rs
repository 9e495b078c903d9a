//! Who a source is: a person's name and the role the article gives them
//! ("head of Ukraine's Foreign Intelligence Service Oleh Ivashchenko"), an
//! organisation ("the US Defense Intelligence Agency", "NATO"), and the
//! descriptions that point back to a speaker named before ("the
//! intelligence chief").

use crate::lexicon::Lexicon;
use crate::places::place;
use serde::Serialize;

/// Titles written before a name, which are its role.
static TITLES: Lexicon = Lexicon::new(&[
    "president",
    "vice",
    "prime",
    "minister",
    "secretary",
    "senator",
    "sen",
    "rep",
    "representative",
    "gov",
    "governor",
    "mayor",
    "chancellor",
    "king",
    "queen",
    "pope",
    "general",
    "gen",
    "adm",
    "admiral",
    "judge",
    "justice",
    "chief",
    "director",
    "ambassador",
    "commissioner",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "chairman",
    "chairwoman",
    "dr",
    "prof",
    "professor",
    "mr",
    "mrs",
    "ms",
    "sir",
    "lord",
    "former",
    "acting",
    "deputy",
    "foreign",
    "defense",
    "defence",
]);

/// Honorifics dropped from a name ("Mr. Trump" is "Trump").
const HONORIFICS: &[&str] = &["mr", "mrs", "ms", "dr", "sir", "prof"];

/// Last words of organisations' names.
static ORGANISATION_WORDS: Lexicon = Lexicon::new(&[
    "agency",
    "service",
    "ministry",
    "department",
    "office",
    "party",
    "committee",
    "council",
    "commission",
    "association",
    "union",
    "foundation",
    "institute",
    "university",
    "campaign",
    "bank",
    "court",
    "congress",
    "senate",
    "house",
    "parliament",
    "government",
    "administration",
    "company",
    "corporation",
    "corp",
    "inc",
    "group",
    "times",
    "post",
    "news",
    "journal",
    "network",
    "press",
    "reuters",
    "police",
    "army",
    "forces",
    "pentagon",
    "kremlin",
    "organization",
    "organisation",
    "center",
    "centre",
    "fund",
    "board",
    "authority",
    "daily",
    "tribune",
    "herald",
    "guardian",
    "telegraph",
    "cnn",
    "bbc",
]);

/// Nouns that describe a person, so "the intelligence chief" or "the
/// senator" can point back to someone named before.
static PERSON_NOUNS: Lexicon = Lexicon::new(&[
    "chief",
    "head",
    "official",
    "president",
    "minister",
    "spokesman",
    "spokeswoman",
    "senator",
    "leader",
    "candidate",
    "director",
    "secretary",
    "governor",
    "mayor",
    "general",
    "ambassador",
    "lawmaker",
    "nominee",
    "businessman",
    "businesswoman",
    "billionaire",
    "congressman",
    "congresswoman",
    "chairman",
    "chairwoman",
    "diplomat",
    "commander",
    "analyst",
    "expert",
    "economist",
    "professor",
    "actor",
    "actress",
    "author",
    "father",
    "mother",
    "man",
    "woman",
]);

/// What a speaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerKind {
    Person,
    /// An organisation, or a document it published.
    Organisation,
    /// A country or a city speaking for its government ("Kyiv has
    /// accused …").
    Place,
}

/// What speaks for a place: "the government of X", "a statement from X".
static VOICES: Lexicon = Lexicon::new(&[
    "government",
    "governments",
    "authorities",
    "officials",
    "ministry",
    "embassy",
    "leadership",
    "statement",
    "statements",
    "report",
    "announcement",
]);

/// What a source names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The name ("Oleh Ivashchenko", "US Defense Intelligence Agency").
    pub name: String,
    /// What the article calls them ("head of Ukraine's Foreign
    /// Intelligence Service", "President").
    pub role: Option<String>,
    pub kind: SpeakerKind,
}

fn norm(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches("’s")
        .trim_end_matches("'s")
        .to_lowercase()
}

fn capitalized(word: &str) -> bool {
    word.trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}

/// The name a source phrase gives, with its role: a phrase that is a
/// place's name ("China", "the U.S.") names the place; the last run of
/// capitalized words after the last title or organisation word is a
/// person's name; a phrase ending in an organisation word (or an acronym)
/// names an organisation; "a report from X" names X.
pub fn named(source: &str) -> Option<Named> {
    let source = source.trim_matches(|c: char| !c.is_alphanumeric());
    // "a recent report from the US Defense Intelligence Agency", "a
    // statement by the Kremlin": the organisation.
    let lower = source.to_lowercase();
    for link in [" from ", " by ", " of "] {
        if let Some(at) = lower.rfind(link)
            && let Some(found) = named(&source[at + link.len()..])
            && found.kind != SpeakerKind::Person
            && !lower[..at].split_whitespace().any(|w| PERSON_NOUNS.has(w))
            // "The government of Costa Rica", "a statement from Beijing":
            // the place speaks; "Lee Zeldin of New York", "refugees from
            // Iraq": the place is where they are from.
            && (found.kind != SpeakerKind::Place
                || lower[..at]
                    .split_whitespace()
                    .next_back()
                    .is_some_and(|w| VOICES.has(w)))
        {
            return Some(found);
        }
    }
    // Words up to an appositive: "Clinton, 35, the daughter of …".
    let head = source.split(',').next().unwrap_or(source);
    let words: Vec<&str> = head.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    if let Some(p) = place(&words.join(" ")) {
        return Some(Named {
            name: p.name.to_string(),
            role: None,
            kind: SpeakerKind::Place,
        });
    }
    let last = norm(words[words.len() - 1]);
    let acronym = words.len() == 1
        && words[0].chars().filter(|c| c.is_alphabetic()).count() >= 2
        && words[0]
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    if (ORGANISATION_WORDS.has(last.as_str()) && capitalized(words[words.len() - 1])) || acronym {
        // From its first capitalized word: "the US Defense Intelligence
        // Agency" is "US Defense Intelligence Agency".
        let first = words
            .iter()
            .position(|w| capitalized(w) && !matches!(norm(w).as_str(), "the" | "a" | "an"))?;
        return Some(Named {
            name: words[first..].join(" "),
            role: None,
            kind: SpeakerKind::Organisation,
        });
    }
    // The trailing capitalized run.
    let mut start = words.len();
    while start > 0 {
        let w = words[start - 1];
        let n = norm(w);
        if !capitalized(w)
            || TITLES.has(n.as_str())
            || ORGANISATION_WORDS.has(n.as_str())
            || w.ends_with("’s")
            || w.ends_with("'s")
        {
            break;
        }
        start -= 1;
    }
    if start == words.len() {
        return None;
    }
    // A lone capitalized first word of a description ("The official") is
    // no name.
    let name_words = &words[start..];
    if start == 0
        && name_words.len() == 1
        && matches!(norm(name_words[0]).as_str(), "the" | "a" | "an")
    {
        return None;
    }
    // "Rep. Lee Zeldin of New York", "refugees from Iraq": where the
    // source is from, not who it is; the name, if any, comes before.
    if start > 0
        && matches!(norm(words[start - 1]).as_str(), "from" | "of" | "in" | "at")
        && place(&name_words.join(" ")).is_some()
    {
        return named(&words[..start - 1].join(" "));
    }
    let role_words: Vec<&str> = words[..start]
        .iter()
        .copied()
        .filter(|w| !HONORIFICS.contains(&norm(w).as_str()))
        .skip_while(|w| matches!(norm(w).as_str(), "the" | "a" | "an"))
        .collect();
    let role = (!role_words.is_empty()).then(|| role_words.join(" "));
    // An appositive after the name is its role too ("Kessel, director of
    // …").
    let role = role.or_else(|| {
        source
            .split_once(',')
            .map(|(_, rest)| rest.trim().trim_end_matches(',').trim().to_string())
            .filter(|r| !r.is_empty() && !r.chars().all(|c| c.is_ascii_digit()))
    });
    Some(Named {
        name: name_words.join(" "),
        role,
        kind: SpeakerKind::Person,
    })
}

/// Whether `description` ("the intelligence chief") can point back to
/// someone with `role`: a lowercase phrase with a determiner and a person
/// noun, sharing a word with the role when both say something.
pub fn describes(description: &str, role: Option<&str>) -> Option<bool> {
    let words: Vec<String> = description.split_whitespace().map(norm).collect();
    let first = words.first()?;
    if !matches!(first.as_str(), "the" | "this" | "that")
        || description.split_whitespace().skip(1).any(capitalized)
    {
        return None;
    }
    let head = words.last()?;
    if !PERSON_NOUNS.has(head.as_str()) {
        return None;
    }
    let content: Vec<&String> = words[1..].iter().filter(|w| w.len() > 3).collect();
    Some(match role {
        Some(role) => {
            let role_words: Vec<String> = role.split_whitespace().map(norm).collect();
            content.iter().any(|w| role_words.contains(w))
        }
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_roles() {
        let n =
            named("The head of Ukraine's Foreign Intelligence Service Oleh Ivashchenko").unwrap();
        assert_eq!(n.name, "Oleh Ivashchenko");
        assert_eq!(
            n.role.as_deref(),
            Some("head of Ukraine's Foreign Intelligence Service")
        );
        let n = named("President Volodymyr Zelensky").unwrap();
        assert_eq!(n.name, "Volodymyr Zelensky");
        assert_eq!(n.role.as_deref(), Some("President"));
        assert_eq!(named("Mr. Trump").unwrap().name, "Trump");
        assert_eq!(named("Mr. Trump").unwrap().role, None);
    }

    #[test]
    fn organisations() {
        let n = named("a recent report from the US Defense Intelligence Agency").unwrap();
        assert_eq!(n.kind, SpeakerKind::Organisation);
        assert_eq!(n.name, "US Defense Intelligence Agency");
        assert_eq!(named("NATO").unwrap().kind, SpeakerKind::Organisation);
        assert_eq!(named("The official"), None);
    }

    #[test]
    fn places() {
        for (source, name) in [
            ("China", "China"),
            ("Kyiv", "Kyiv"),
            ("the U.S.", "United States"),
            ("The United States", "United States"),
            ("a statement from Beijing", "Beijing"),
        ] {
            let n = named(source).unwrap();
            assert_eq!(
                (n.name.as_str(), n.kind),
                (name, SpeakerKind::Place),
                "{source}"
            );
        }
        assert_eq!(
            named("The government of Costa Rica").unwrap().name,
            "Costa Rica"
        );
        let zeldin = named("Rep. Lee Zeldin of New York").unwrap();
        assert_eq!(
            (zeldin.name.as_str(), zeldin.kind),
            ("Lee Zeldin", SpeakerKind::Person)
        );
        assert_ne!(
            named("the University of Michigan").unwrap().kind,
            SpeakerKind::Place
        );
        assert_eq!(named("refugees from Iraq"), None);
        // A person named like a place is a person by their full name.
        assert_eq!(named("Michael Jordan").unwrap().kind, SpeakerKind::Person);
        assert_eq!(named("US officials"), None);
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            describes(
                "The intelligence chief",
                Some("head of Ukraine's Foreign Intelligence Service")
            ),
            Some(true)
        );
        assert_eq!(describes("the senator", Some("President")), Some(false));
        assert_eq!(describes("Senator Jane Doe", None), None);
    }
}

//! Places a source can name: "China dismissed …", "Kyiv has accused …",
//! "Washington said …". A gazetteer of countries, capitals, cities of a
//! million people or more and US states, from GeoNames (CC BY 4.0), written
//! by `data/places.py` and compiled in.

use std::collections::HashMap;
use std::sync::OnceLock;

static GAZETTEER: &str = include_str!("../data/places.tsv");

/// The gazetteer by key (see [`key`]).
fn index() -> &'static HashMap<String, Place> {
    static INDEX: OnceLock<HashMap<String, Place>> = OnceLock::new();
    INDEX.get_or_init(|| {
        entries()
            .map(|(listed, place)| (key(listed), place))
            .collect()
    })
}

/// Each line: the name as listed, and the place it names ("US" names the
/// United States).
fn entries() -> impl Iterator<Item = (&'static str, Place)> {
    GAZETTEER
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut fields = l.split('\t');
            let listed = fields.next()?;
            let kind = fields.next()?;
            let name = fields.next().unwrap_or(listed);
            Some((listed, Place { name, kind }))
        })
}

/// Names compare without their full stops ("U.S." is "US") and case.
fn key(name: &str) -> String {
    name.chars()
        .filter(|&c| c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A place the gazetteer lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The place's name: "United States" for "the U.S.".
    pub name: &'static str,
    /// "country", "capital", "city", "state" or "region".
    pub kind: &'static str,
}

/// The place `name` is, if the gazetteer lists it: the whole name, with a
/// leading "the" ("the United States") and a final full stop allowed. A
/// name must be capitalized as names are: "china" is not China.
pub fn place(name: &str) -> Option<Place> {
    let name = name.trim();
    let name = name
        .strip_prefix("the ")
        .or_else(|| name.strip_prefix("The "))
        .unwrap_or(name);
    if !name.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    index().get(&key(name)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_capitals_and_cities() {
        assert_eq!(place("China").map(|p| p.kind), Some("country"));
        assert_eq!(place("Kyiv").map(|p| p.kind), Some("capital"));
        assert_eq!(place("Beijing").map(|p| p.kind), Some("capital"));
        assert_eq!(place("Mumbai").map(|p| p.kind), Some("city"));
        assert_eq!(place("Texas").map(|p| p.kind), Some("state"));
    }

    #[test]
    fn spellings_the_news_uses() {
        for us in ["the United States", "U.S.", "the U.S", "US", "America"] {
            assert_eq!(place(us).unwrap().name, "United States", "{us}");
        }
        assert_eq!(place("Britain").unwrap().name, "United Kingdom");
        assert_eq!(place("the Netherlands").unwrap().name, "Netherlands");
    }

    #[test]
    fn only_whole_names() {
        assert_eq!(place("china"), None);
        assert_eq!(place("China Daily"), None);
        assert_eq!(place("Oleh Ivashchenko"), None);
        assert_eq!(place(""), None);
    }

    #[test]
    fn every_line_of_the_gazetteer_reads() {
        let lines = GAZETTEER.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(entries().count(), lines);
        assert_eq!(index().len(), lines, "two names with one key");
        for (listed, p) in entries() {
            assert!(
                ["country", "capital", "city", "state", "region"].contains(&p.kind),
                "{listed}"
            );
            assert_eq!(place(listed), Some(p), "{listed}");
            // What a short form stands for is listed itself.
            assert_eq!(place(p.name).map(|q| q.name), Some(p.name), "{listed}");
        }
    }
}

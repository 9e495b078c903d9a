//! `robots.txt` (RFC 9309), for the article pages Bulletin fetches on its
//! own initiative. Feeds are exempt: a subscription is the site's invitation.
//!
//! The group for Bulletin's product token is used when there is one, else
//! the `*` group; within it the longest matching rule wins, and `Allow` wins
//! a tie. `*` matches any run of characters and a final `$` anchors the end.

/// The rules that apply to one crawler.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    allow: bool,
    pattern: String,
}

impl Robots {
    /// Rules that allow everything (no robots.txt, or one that says nothing).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Rules that forbid everything (the site's robots.txt could not be read
    /// for a server error, which RFC 9309 treats as "disallow all").
    pub fn disallow_all() -> Robots {
        Robots {
            rules: vec![Rule {
                allow: false,
                pattern: "/".into(),
            }],
        }
    }

    /// Reads a robots.txt for the crawler called `agent` (its product token,
    /// such as "Bulletin").
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        let mut mine: Vec<Rule> = Vec::new();
        let mut anyone: Vec<Rule> = Vec::new();
        let mut found_mine = false;
        // The agents the current group is for; a rule line ends the list.
        let mut agents: Vec<String> = Vec::new();
        let mut in_rules = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        agents.clear();
                        in_rules = false;
                    }
                    let token = value.to_ascii_lowercase();
                    if names(&token, &agent) {
                        found_mine = true;
                    }
                    agents.push(token);
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    let rule = Rule {
                        allow: key == "allow",
                        pattern: value.to_string(),
                    };
                    if rule.pattern.is_empty() {
                        // "Disallow:" with nothing allows everything.
                        continue;
                    }
                    if agents.iter().any(|a| names(a, &agent)) {
                        mine.push(rule.clone());
                    }
                    if agents.iter().any(|a| a == "*") {
                        anyone.push(rule);
                    }
                }
                _ => {}
            }
        }
        Robots {
            rules: if found_mine { mine } else { anyone },
        }
    }

    /// Whether the path (with its query) may be fetched.
    pub fn allows(&self, path_and_query: &str) -> bool {
        if path_and_query == "/robots.txt" {
            return true;
        }
        let mut best: Option<(usize, bool)> = None;
        for rule in &self.rules {
            if matches(&rule.pattern, path_and_query) {
                let len = rule.pattern.len();
                let better = match best {
                    None => true,
                    Some((l, allow)) => len > l || (len == l && rule.allow && !allow),
                };
                if better {
                    best = Some((len, rule.allow));
                }
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Whether a `User-agent` line names the crawler: its product token, in any
/// case, possibly with a version ("Bulletin/1.0").
fn names(token: &str, agent: &str) -> bool {
    token == agent
        || token
            .strip_prefix(agent)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a robots.txt pattern matches the start of `path`.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let pattern = pattern.as_bytes();
    let path = path.as_bytes();
    // Greedy wildcard matching with backtracking to the last '*'.
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p == pattern.len() {
            if !anchored || s == path.len() {
                return true;
            }
        } else if pattern[p] == b'*' {
            star = Some((p, s));
            p += 1;
            continue;
        } else if s < path.len() && pattern[p] == path[s] {
            p += 1;
            s += 1;
            continue;
        }
        match star {
            Some((sp, ss)) if ss < path.len() => {
                star = Some((sp, ss + 1));
                p = sp + 1;
                s = ss + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "
# comments are ignored
User-agent: *
Disallow: /private/
Allow: /private/press/
Disallow: /*.pdf$

User-agent: OtherBot
Disallow: /

User-agent: Bulletin
User-agent: Somebot
Disallow: /members
Allow: /members/free$
";

    #[test]
    fn uses_its_own_group_when_there_is_one() {
        let robots = Robots::parse(TXT, "Bulletin");
        assert!(!robots.allows("/members/x"));
        assert!(robots.allows("/members/free"));
        assert!(!robots.allows("/members/free/more"));
        // The * group does not apply once a group names Bulletin.
        assert!(robots.allows("/private/a"));
    }

    #[test]
    fn falls_back_to_the_star_group_with_longest_match() {
        let robots = Robots::parse(TXT, "Newsreader");
        assert!(robots.allows("/news/a.html"));
        assert!(!robots.allows("/private/a"));
        assert!(robots.allows("/private/press/release"));
        assert!(!robots.allows("/files/report.pdf"));
        assert!(robots.allows("/files/report.pdf?download=1"));
        assert!(robots.allows("/robots.txt"));
    }

    #[test]
    fn empty_and_odd_files_allow_everything() {
        for text in ["", "garbage without colons", "User-agent: *\nDisallow:\n"] {
            assert!(
                Robots::parse(text, "Bulletin").allows("/any/page"),
                "{text:?}"
            );
        }
        assert!(!Robots::disallow_all().allows("/any/page"));
    }

    #[test]
    fn wildcards_match_runs_of_characters() {
        assert!(matches("/a*/c", "/a/b/c/d"));
        assert!(matches("/*.php$", "/x/index.php"));
        assert!(!matches("/*.php$", "/x/index.php5"));
        assert!(matches("*", "/"));
    }
}

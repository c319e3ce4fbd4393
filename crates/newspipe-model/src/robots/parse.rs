//! robots.txt parsing (RFC 9309 §2.2): lines → the groups that address one product token, their
//! Allow/Disallow rules and Crawl-delay, and the Sitemap lines of the whole file.
//!
//! Lenient like Google's parser where leniency only makes us honour what a site meant (a missing
//! colon, common misspellings of the keys), strict where it could widen access: rules before the
//! first `User-agent:` line belong to no group and are ignored.

use std::collections::HashSet;

use super::pattern::Pattern;

/// Only the start of a larger file is read (RFC 9309 §2.5: parse at least 500 KiB), which also
/// bounds the memory and the matching work one hostile file can cost.
pub(crate) const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// Longer lines are cut here (Google cuts at 8 × 2,083 bytes): a cut Disallow still blocks the
/// prefix it names, and no legitimate rule is this long.
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024;

/// One Allow or Disallow line.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) pattern: Pattern,
    pub(crate) allow: bool,
}

/// Rules for one group selection: the merged groups that name the agent, or the merged `*`
/// groups.
#[derive(Debug, Default)]
pub(crate) struct Selected {
    pub(crate) rules: Vec<Rule>,
    /// Largest `Crawl-delay` value the selected groups give, in seconds, unvalidated.
    pub(crate) crawl_delay: Option<f64>,
}

/// What a file says to one agent.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// Groups naming the agent exist (even if they hold no rules): then `*` groups do not apply.
    pub(crate) named: bool,
    pub(crate) ours: Selected,
    pub(crate) star: Selected,
    pub(crate) sitemaps: Vec<String>,
}

impl Parsed {
    /// The groups that apply to the agent (RFC 9309 §2.2.1): its own if any, else `*`.
    pub(crate) fn into_selected(self) -> (Selected, Vec<String>) {
        let selected = if self.named { self.ours } else { self.star };
        (selected, self.sitemaps)
    }
}

enum Key {
    UserAgent,
    Allow,
    Disallow,
    CrawlDelay,
    Sitemap,
}

fn key(name: &str) -> Option<Key> {
    Some(match name.to_ascii_lowercase().as_str() {
        "user-agent" | "useragent" | "user agent" => Key::UserAgent,
        "allow" => Key::Allow,
        "disallow" | "dissallow" | "dissalow" | "disalow" | "diasllow" | "disallaw" => {
            Key::Disallow
        }
        "crawl-delay" | "crawldelay" | "crawl delay" => Key::CrawlDelay,
        "sitemap" | "site-map" => Key::Sitemap,
        _ => return None,
    })
}

/// The product token of a User-Agent value: up to the first whitespace or `/`, so that
/// `newspipe/1.0`, `newspipe crawler` and `newspipe/0.1 (+https://…)` all read `newspipe`.
pub(crate) fn product_token(user_agent: &str) -> &str {
    let t = user_agent.trim_start();
    let end = t
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(t.len());
    &t[..end]
}

/// Splits a line into key and value. Without a colon, `disallow /` is still read as a key and a
/// value when it is exactly two words: the site's intent is plain, and ignoring it would crawl
/// what the site meant to close.
fn key_value(line: &str) -> Option<(&str, &str)> {
    if let Some((k, v)) = line.split_once(':') {
        return Some((k.trim(), v.trim()));
    }
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(k), Some(v), None) => Some((k, v)),
        _ => None,
    }
}

/// Largest char boundary at or below `max`.
fn floor_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Parses `body` for the agent whose product token is `agent` (compared case-insensitively).
pub(crate) fn parse(agent: &str, body: &str) -> Parsed {
    let agent = agent.to_ascii_lowercase();
    let body = &body[..floor_boundary(body, MAX_ROBOTS_BYTES)];
    // A byte-order mark, or what is left of a partial one after lossy UTF-8 decoding, is not
    // part of the first line.
    let body = body.trim_start_matches(['\u{feff}', '\u{fffd}']);

    let mut parsed = Parsed::default();
    let mut sitemaps_seen = HashSet::new();
    // Whether any group has started: lines before the first User-agent are ignored.
    let mut in_group = false;
    // Consecutive User-agent lines share one group; the first rule line closes the list.
    let mut collecting_agents = false;
    let mut group_is_ours = false;
    let mut group_is_star = false;

    for line in body.split(['\n', '\r']) {
        let line = &line[..floor_boundary(line, MAX_LINE_BYTES)];
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = key_value(line) else {
            continue;
        };
        let Some(key) = key(name) else {
            continue;
        };
        match key {
            Key::Sitemap => {
                if is_absolute_http(value) && sitemaps_seen.insert(value.to_owned()) {
                    parsed.sitemaps.push(value.to_owned());
                }
            }
            Key::UserAgent => {
                if !collecting_agents {
                    collecting_agents = true;
                    group_is_ours = false;
                    group_is_star = false;
                }
                in_group = true;
                let token = product_token(value);
                if token == "*" {
                    group_is_star = true;
                } else if !token.is_empty() && token.eq_ignore_ascii_case(&agent) {
                    group_is_ours = true;
                    parsed.named = true;
                }
            }
            Key::Allow | Key::Disallow | Key::CrawlDelay => {
                if !in_group {
                    continue;
                }
                collecting_agents = false;
                let targets = [
                    group_is_ours.then_some(&mut parsed.ours),
                    group_is_star.then_some(&mut parsed.star),
                ];
                for sel in targets.into_iter().flatten() {
                    match key {
                        Key::CrawlDelay => {
                            // Only numbers are kept here; whether they are usable is decided
                            // where they become a Duration.
                            if let Ok(secs) = value.parse::<f64>() {
                                // f64::max skips a NaN, so garbage never hides a number.
                                sel.crawl_delay =
                                    Some(sel.crawl_delay.map_or(secs, |d| d.max(secs)));
                            }
                        }
                        _ => {
                            if let Some(pattern) = Pattern::new(value) {
                                sel.rules.push(Rule {
                                    pattern,
                                    allow: matches!(key, Key::Allow),
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    parsed
}

fn is_absolute_http(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_token_stops_at_space_or_slash() {
        assert_eq!(
            product_token("newspipe/0.1 (+https://example.org/bot)"),
            "newspipe"
        );
        assert_eq!(product_token("newspipe crawler"), "newspipe");
        assert_eq!(product_token("  NewsPipe\t1"), "NewsPipe");
        assert_eq!(product_token("*"), "*");
        assert_eq!(product_token(""), "");
    }

    #[test]
    fn missing_colon_is_accepted_for_two_words_only() {
        assert_eq!(key_value("disallow /"), Some(("disallow", "/")));
        assert_eq!(key_value("disallow / x"), None);
        assert_eq!(
            key_value("Sitemap: http://h/s.xml"),
            Some(("Sitemap", "http://h/s.xml"))
        );
    }

    #[test]
    fn nan_and_garbage_delays_are_numbers_or_nothing() {
        let p = parse("a", "user-agent: a\ncrawl-delay: soon\n");
        assert_eq!(p.ours.crawl_delay, None);
        let p = parse("a", "user-agent: a\ncrawl-delay: NaN\ncrawl-delay: 2\n");
        assert_eq!(p.ours.crawl_delay, Some(2.0), "NaN never wins the max");
    }
}

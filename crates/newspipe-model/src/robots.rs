//! robots.txt policy: what a host lets our User-Agent fetch and how slowly.
//!
//! Pure logic, shared by the crawler (which fetches the file), the store (which records the
//! outcome) and the dispatcher (which applies the rules to the frontier). [`robots_outcome`] is
//! the one rule for what a response status means; [`RobotsPolicy`] is the parsed file. Our own
//! RFC 9309 matcher (`robots/parse.rs`, `robots/pattern.rs`): longest match wins, Allow wins ties,
//! `*` and `$`, percent-escapes compared normalised, and linear-time matching, so no rule can be
//! too large or complex to keep; one check's total work is bounded by [`MATCH_BUDGET`].

mod parse;
mod pattern;

use std::time::Duration;

use parse::Rule;
use pattern::normalize;

/// Longest `Crawl-delay` we honour; beyond this a site effectively asks not to be crawled and we
/// would rather crawl it slowly than never.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(120);

/// Bytes of path one [`RobotsPolicy::allowed`] call may examine. Each rule costs at most the
/// path's length, so a file of thousands of `/*x*y` rules could otherwise make every check of a
/// long URL cost tens of milliseconds of the dispatcher's time, which all hosts share. Real files
/// stay far below (500 wildcard rules against a 2 KB URL examine 1 MB); a URL whose check runs
/// out is treated as disallowed.
pub const MATCH_BUDGET: usize = 4 << 20;

/// What a robots.txt response means, by status alone. The crawler, the store and the dispatcher
/// all decide through [`robots_outcome`], so they cannot disagree.
///
/// | status | outcome | why |
/// | --- | --- | --- |
/// | 2xx | [`Rules`](Self::Rules) | the body is the file (RFC 9309 §2.3.1.1) |
/// | 3xx (final) | [`AllowAll`](Self::AllowAll) | a redirect the fetcher did not follow (too many hops, no `Location`, 300, 304): RFC 9309 §2.3.1.2 lets a crawler treat it as unavailable, and Google treats it as a 404 |
/// | 4xx except 429 | [`AllowAll`](Self::AllowAll) | "unavailable": no file, no restrictions (RFC 9309 §2.3.1.3) |
/// | 429 | [`Unreachable`](Self::Unreachable) | the server asks us to slow down; RFC 9309 lists it with the 4xx, but Google treats it as a server error, and reading it as "crawl everything" would answer a request to back off with more requests |
/// | 5xx, no response | [`Unreachable`](Self::Unreachable) | "unreachable": complete disallow for now (RFC 9309 §2.3.1.4) |
/// | 1xx, outside 100–599 | [`Unreachable`](Self::Unreachable) | not a usable final response: same as no response |
///
/// A 304 is listed with the 3xx because the fetcher sends no conditional request, so a 304 is a
/// server's mistake rather than "your copy is still good".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotsOutcome {
    /// 2xx: parse the body; an empty or missing body restricts nothing.
    Rules,
    /// No usable file: fetch anything. Replaces cached rules like a fetched file would, since the
    /// site answered.
    AllowAll,
    /// No answer we can use: disallow everything for now and ask again after a backoff. Rules
    /// cached from an earlier successful fetch may stay in force meanwhile (RFC 9309 §2.4 allows
    /// a cached copy while the file is unreachable).
    Unreachable,
}

impl RobotsOutcome {
    /// Whether the answer settles the host's rules (a file, or the certainty there is none):
    /// `false` only for [`Unreachable`](Self::Unreachable), which is retried and must not replace
    /// good cached rules.
    pub const fn settles_rules(self) -> bool {
        !matches!(self, Self::Unreachable)
    }
}

/// The outcome of a robots.txt fetch by its final status; `None` when no response came (network
/// error, timeout, refused by the SSRF guard). See [`RobotsOutcome`] for the table and reasons.
pub const fn robots_outcome(status: Option<u16>) -> RobotsOutcome {
    match status {
        Some(200..=299) => RobotsOutcome::Rules,
        Some(429) => RobotsOutcome::Unreachable,
        Some(300..=499) => RobotsOutcome::AllowAll,
        _ => RobotsOutcome::Unreachable,
    }
}

/// Rules for one host, as they apply to our product token.
pub struct RobotsPolicy {
    access: Access,
    crawl_delay: Option<Duration>,
    sitemaps: Vec<String>,
}

enum Access {
    All,
    Nothing,
    /// Sorted by specificity, longest first and Allow before Disallow at equal length, so the
    /// first match is the winning rule.
    Rules(Vec<Rule>),
}

impl std::fmt::Debug for RobotsPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let access = match &self.access {
            Access::All => "AllowAll".to_owned(),
            Access::Nothing => "DisallowAll".to_owned(),
            Access::Rules(r) => format!("{} rules", r.len()),
        };
        f.debug_struct("RobotsPolicy")
            .field("access", &access)
            .field("crawl_delay", &self.crawl_delay)
            .field("sitemaps", &self.sitemaps.len())
            .finish()
    }
}

impl RobotsPolicy {
    /// Builds the policy from a robots.txt response, following [`robots_outcome`]. `status` is
    /// `None` when no response came; `user_agent` may be our whole User-Agent header, only its
    /// product token (`newspipe` in `newspipe/0.1 (+https://…)`) selects groups.
    pub fn from_response(user_agent: &str, status: Option<u16>, body: Option<&str>) -> Self {
        match robots_outcome(status) {
            RobotsOutcome::Rules => Self::parse(user_agent, body.unwrap_or("")),
            RobotsOutcome::AllowAll => Self::allow_all(),
            RobotsOutcome::Unreachable => Self::disallow_all(),
        }
    }

    /// Parses a fetched (2xx) robots.txt for `user_agent`. Never fails: lines that mean nothing
    /// are skipped and every other rule is kept.
    pub fn parse(user_agent: &str, body: &str) -> Self {
        let token = parse::product_token(user_agent);
        let (selected, sitemaps) = parse::parse(token, body).into_selected();
        let mut rules = selected.rules;
        // Identical lines are common (files concatenated from templates); keeping one of each
        // bounds the work `allowed` does for them.
        rules.sort_by(|a, b| {
            b.pattern
                .len()
                .cmp(&a.pattern.len())
                .then(b.allow.cmp(&a.allow))
                .then_with(|| a.pattern.cmp(&b.pattern))
        });
        rules.dedup_by(|a, b| a.allow == b.allow && a.pattern == b.pattern);
        Self {
            access: if rules.is_empty() {
                Access::All
            } else {
                Access::Rules(rules)
            },
            crawl_delay: selected.crawl_delay.and_then(delay_from_secs),
            sitemaps,
        }
    }

    /// No restrictions (no file).
    pub fn allow_all() -> Self {
        Self {
            access: Access::All,
            crawl_delay: None,
            sitemaps: Vec::new(),
        }
    }

    /// Nothing may be fetched (file unreachable).
    pub fn disallow_all() -> Self {
        Self {
            access: Access::Nothing,
            crawl_delay: None,
            sitemaps: Vec::new(),
        }
    }

    /// Whether `url` (absolute) may be fetched. Its path and query are compared after the same
    /// percent-normalisation as the rules; a string that is not an absolute URL is checked as a
    /// path if it starts with `/`, else as `/`. A check that would examine more than
    /// [`MATCH_BUDGET`] bytes answers `false`.
    pub fn allowed(&self, url: &str) -> bool {
        let rules = match &self.access {
            Access::All => return true,
            Access::Nothing => return false,
            Access::Rules(rules) => rules,
        };
        let path = normalize(&path_and_query(url));
        let mut budget = MATCH_BUDGET;
        for rule in rules {
            match rule.pattern.matches_within(&path, &mut budget) {
                Some(true) => return rule.allow,
                Some(false) => {}
                // Out of budget: the answer is unknown, and unknown is not permission.
                None => return false,
            }
        }
        true
    }

    /// The `Crawl-delay` the host asks of us, capped at [`MAX_CRAWL_DELAY`]; `None` when it
    /// gives none, or only zero, negative, unreadable or sub-nanosecond values.
    pub fn crawl_delay(&self) -> Option<Duration> {
        self.crawl_delay
    }

    /// The `Sitemap:` URLs of the file, wherever they appear in it, as written, without
    /// duplicates. Only absolute http(s) URLs are kept.
    pub fn sitemaps(&self) -> &[String] {
        &self.sitemaps
    }
}

/// A remote `Crawl-delay` value as a Duration: the cap is applied while the value is still a
/// float, because converting a huge, infinite or NaN float to a Duration panics.
fn delay_from_secs(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs <= 0.0 {
        return None;
    }
    if secs >= MAX_CRAWL_DELAY.as_secs_f64() {
        return Some(MAX_CRAWL_DELAY);
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
}

/// The part of a URL robots.txt rules are matched against: path and query, no fragment.
fn path_and_query(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let mut s = String::with_capacity(u.path().len() + 1);
            if !u.path().starts_with('/') {
                s.push('/');
            }
            s.push_str(u.path());
            if let Some(q) = u.query() {
                s.push('?');
                s.push_str(q);
            }
            s
        }
        Err(_) if url.starts_with('/') && !url.starts_with("//") => {
            url.split('#').next().unwrap_or("/").to_owned()
        }
        Err(_) => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "newspipe/0.1 (+https://example.org/bot)";

    fn policy(txt: &str) -> RobotsPolicy {
        RobotsPolicy::from_response(UA, Some(200), Some(txt))
    }

    #[test]
    fn rules_apply_to_our_agent_with_delay() {
        let txt = "User-agent: *\nDisallow: /search\nCrawl-delay: 2\n\nUser-agent: newspipe\nDisallow: /private/\nCrawl-delay: 3\nSitemap: http://h/sitemap.xml\n";
        let p = policy(txt);
        assert!(!p.allowed("http://h/private/x"));
        assert!(
            p.allowed("http://h/search?q=1"),
            "our group replaces the * group"
        );
        assert_eq!(p.crawl_delay(), Some(Duration::from_secs(3)));
        assert_eq!(p.sitemaps(), ["http://h/sitemap.xml"]);
    }

    #[test]
    fn outcome_by_status() {
        use RobotsOutcome::*;
        let table = [
            (Some(200), Rules),
            (Some(204), Rules),
            (Some(300), AllowAll),
            (Some(301), AllowAll), // final: a 301 the fetcher did not follow (no Location)
            (Some(304), AllowAll),
            (Some(308), AllowAll),
            (Some(403), AllowAll),
            (Some(404), AllowAll),
            (Some(410), AllowAll),
            (Some(429), Unreachable),
            (Some(500), Unreachable),
            (Some(503), Unreachable),
            (Some(599), Unreachable),
            (Some(100), Unreachable),
            (Some(0), Unreachable),
            (Some(600), Unreachable),
            (None, Unreachable),
        ];
        for (status, want) in table {
            assert_eq!(robots_outcome(status), want, "status {status:?}");
            assert_eq!(want.settles_rules(), want != Unreachable);
        }
    }

    #[test]
    fn from_response_follows_the_outcome() {
        // A disallow-all body must not count for a status that is not 2xx: 3xx and 4xx bodies
        // are error pages, not the file.
        let body = Some("User-agent: *\nDisallow: /\n");
        for status in [300, 301, 304, 404] {
            let p = RobotsPolicy::from_response(UA, Some(status), body);
            assert!(p.allowed("http://h/x"), "HTTP {status} restricts nothing");
        }
        for status in [Some(429), Some(500), Some(503), None] {
            let p = RobotsPolicy::from_response(UA, status, None);
            assert!(!p.allowed("http://h/x"), "{status:?} disallows for now");
        }
        let p = RobotsPolicy::from_response(UA, Some(200), body);
        assert!(!p.allowed("http://h/x"));
        let p = RobotsPolicy::from_response(UA, Some(200), None);
        assert!(p.allowed("http://h/x"), "an empty file restricts nothing");
    }

    #[test]
    fn star_group_applies_when_none_names_us() {
        let p = policy("User-agent: *\nDisallow: /api/\n");
        assert!(!p.allowed("http://h/api/v1"));
        assert!(p.allowed("http://h/news/a.html"));
        assert_eq!(p.crawl_delay(), None);
    }

    #[test]
    fn hostile_crawl_delays_never_panic_and_stay_capped() {
        for value in [
            "1e20", "1e308", "1e309", "inf", "+inf", "infinity", "86400", "120.5",
        ] {
            let p = policy(&format!("User-agent: *\nCrawl-delay: {value}\n"));
            assert_eq!(
                p.crawl_delay(),
                Some(MAX_CRAWL_DELAY),
                "Crawl-delay: {value}"
            );
        }
        for value in ["NaN", "-1", "-inf", "0", "-0", "garbage", "", "1,5", "0x10"] {
            let p = policy(&format!("User-agent: *\nCrawl-delay: {value}\n"));
            assert_eq!(p.crawl_delay(), None, "Crawl-delay: {value}");
        }
        let p = policy("User-agent: *\nCrawl-delay: 0.25\n");
        assert_eq!(p.crawl_delay(), Some(Duration::from_millis(250)));
        let p = policy("User-agent: *\nCrawl-delay: 1e-300\n");
        assert_eq!(p.crawl_delay(), None, "rounds to zero: no delay");
    }

    #[test]
    fn our_product_token_is_matched_in_any_user_agent_value() {
        for line in [
            "newspipe",
            "newspipe/1.0",
            "newspipe crawler",
            "NewsPipe/2 (+x)",
        ] {
            let p = policy(&format!(
                "User-agent: *\nDisallow: /\n\nUser-agent: {line}\nDisallow: /private\n"
            ));
            assert!(
                p.allowed("http://h/news"),
                "User-agent: {line} addresses us"
            );
            assert!(!p.allowed("http://h/private/1"), "User-agent: {line}");
        }
        // Another bot whose name merely starts like ours does not.
        let p = policy("User-agent: newspipeX\nDisallow: /\n");
        assert!(p.allowed("http://h/news"));
        // Our UA is reduced to its token whatever form it takes.
        for ua in [
            "newspipe",
            "newspipe/0.1",
            "newspipe crawler (+https://h/bot)",
        ] {
            let p = RobotsPolicy::parse(ua, "User-agent: newspipe/9\nDisallow: /\n");
            assert!(!p.allowed("http://h/x"), "our UA {ua:?}");
        }
    }

    #[test]
    fn a_huge_or_complex_rule_keeps_the_others() {
        let stars = format!("/{}x$", "a*".repeat(40));
        let txt =
            format!("User-agent: *\nDisallow: {stars}\nDisallow: /private\nAllow: /private/ok\n");
        let p = policy(&txt);
        assert!(!p.allowed("http://h/private/secret"));
        assert!(p.allowed("http://h/private/ok/1"));
        let many_a = format!("http://h/{}x", "a".repeat(40));
        assert!(!p.allowed(&many_a), "the 40-star rule itself applies");
        assert!(p.allowed(&format!("{many_a}y")));
        // A rule longer than a line may be is cut, not dropped with the file.
        let long = format!(
            "User-agent: *\nDisallow: /private\nDisallow: /{}\n",
            "b".repeat(100_000)
        );
        let p = policy(&long);
        assert!(!p.allowed("http://h/private"));
        assert!(!p.allowed(&format!("http://h/{}", "b".repeat(20_000))));
        assert!(p.allowed("http://h/b"));
    }

    #[test]
    fn a_file_too_costly_to_check_disallows_instead_of_stalling() {
        // 512 KiB of distinct rules that all pass the cheap tests and search the whole path.
        let mut txt = String::from("User-agent: *\nDisallow: /private\n");
        let mut i = 0;
        while txt.len() < parse::MAX_ROBOTS_BYTES {
            txt.push_str(&format!("Disallow: /*q*{i}*z\n"));
            i += 1;
        }
        let p = policy(&txt);
        let long = format!("http://h/{}", "q1".repeat(1000));
        let started = std::time::Instant::now();
        assert!(!p.allowed(&long), "unknown is not permission");
        assert!(started.elapsed() < Duration::from_secs(2));
        // Short paths stay within the budget and get real answers.
        assert!(p.allowed("http://h/news/1"));
        assert!(!p.allowed("http://h/private/1"));
        assert!(!p.allowed("http://h/q7z"));
    }

    #[test]
    fn repeated_rules_are_kept_once() {
        let txt = format!(
            "User-agent: *\n{}Allow: /a/b\n",
            "Disallow: /a\n".repeat(10_000)
        );
        let p = policy(&txt);
        assert!(matches!(&p.access, Access::Rules(r) if r.len() == 2));
        assert!(!p.allowed("http://h/a/c"));
        assert!(p.allowed("http://h/a/b"));
    }

    #[test]
    fn escapes_compare_normalised() {
        let p = policy("User-agent: *\nDisallow: /%aa\nDisallow: /foo/%e3%83%84\nDisallow: /ü\n");
        assert!(!p.allowed("http://h/%AA"));
        assert!(!p.allowed("http://h/%aa"));
        assert!(!p.allowed("http://h/foo/%E3%83%84"));
        assert!(
            !p.allowed("http://h/foo/ツ"),
            "the URL crate escapes it first"
        );
        assert!(!p.allowed("http://h/%C3%BC"));
        assert!(p.allowed("http://h/%C3%BD"));
    }

    #[test]
    fn rules_before_any_user_agent_are_ignored() {
        let p = policy("Disallow: /\nCrawl-delay: 9\n\nUser-agent: *\nDisallow: /x\n");
        assert!(p.allowed("http://h/y"));
        assert!(!p.allowed("http://h/x"));
        assert_eq!(p.crawl_delay(), None);
        let p = policy("Disallow: /\n");
        assert!(
            p.allowed("http://h/y"),
            "a file with no group restricts nothing"
        );
    }

    #[test]
    fn groups_share_agents_and_merge() {
        let txt = "User-agent: other\nUser-agent: newspipe\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\nUser-agent: NEWSPIPE\nDisallow: /b\nCrawl-delay: 4\n";
        let p = policy(txt);
        assert!(!p.allowed("http://h/a"));
        assert!(!p.allowed("http://h/b"));
        assert!(p.allowed("http://h/c"));
        assert_eq!(p.crawl_delay(), Some(Duration::from_secs(4)));
        // The two * groups merge too, for agents no group names.
        let p = RobotsPolicy::parse(
            "otherbot",
            "User-agent: *\nDisallow: /a\nUser-agent: x\nDisallow: /\nUser-agent: *\nDisallow: /b\n",
        );
        assert!(!p.allowed("http://h/a") && !p.allowed("http://h/b") && p.allowed("http://h/c"));
    }

    #[test]
    fn sitemaps_are_collected_anywhere() {
        let txt = "Sitemap: https://h/first.xml\nUser-agent: other\nSitemap: https://h/second.xml\nDisallow: /\nsitemap: https://h/first.xml\nSitemap: /relative.xml\n# Sitemap: https://h/commented.xml\n";
        let p = policy(txt);
        assert_eq!(
            p.sitemaps(),
            ["https://h/first.xml", "https://h/second.xml"]
        );
        assert!(
            RobotsPolicy::from_response(UA, Some(404), Some(txt))
                .sitemaps()
                .is_empty()
        );
    }
}

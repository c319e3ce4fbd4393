//! robots.txt policy: what a host lets our User-Agent fetch and how slowly.
//!
//! Pure logic, shared by the dispatcher (which applies it to the frontier) and tests. Follows
//! RFC 9309: a 4xx means no restrictions, a 5xx or network failure means "disallow everything for
//! now" until a later fetch succeeds.

use std::time::Duration;

/// Longest `Crawl-delay` we honour; beyond this a site effectively asks not to be crawled and we
/// would rather crawl it slowly than never.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(120);

/// Rules for one host.
pub enum RobotsPolicy {
    /// No robots.txt (4xx) or an empty one.
    AllowAll,
    /// Server error or unreachable: fetch nothing until robots.txt is fetched again.
    DisallowAll,
    /// A parsed file.
    Rules(Box<texting_robots::Robot>),
}

impl std::fmt::Debug for RobotsPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AllowAll => f.write_str("AllowAll"),
            Self::DisallowAll => f.write_str("DisallowAll"),
            Self::Rules(r) => write!(f, "Rules(delay={:?})", r.delay),
        }
    }
}

impl RobotsPolicy {
    /// Builds the policy from a robots.txt response. `status` is `None` when no response came.
    pub fn from_response(user_agent: &str, status: Option<u16>, body: Option<&str>) -> Self {
        match status {
            Some(200..=299) => {
                let body = body.unwrap_or("");
                // A file we cannot parse restricts nothing, as browsers and Google treat it.
                match texting_robots::Robot::new(product_token(user_agent), body.as_bytes()) {
                    Ok(robot) => Self::Rules(Box::new(robot)),
                    Err(_) => Self::AllowAll,
                }
            }
            Some(400..=499) => Self::AllowAll,
            _ => Self::DisallowAll,
        }
    }

    /// Whether `url` (absolute) may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Self::AllowAll => true,
            Self::DisallowAll => false,
            Self::Rules(r) => r.allowed(url),
        }
    }

    /// The `Crawl-delay` the host asks of us, capped at [`MAX_CRAWL_DELAY`].
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Self::Rules(r) => r
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d).min(MAX_CRAWL_DELAY)),
            _ => None,
        }
    }

    /// Sitemaps the file lists.
    pub fn sitemaps(&self) -> &[String] {
        match self {
            Self::Rules(r) => &r.sitemaps,
            _ => &[],
        }
    }
}

/// robots.txt groups match on the product token ("newspipe"), not the whole User-Agent header.
fn product_token(user_agent: &str) -> &str {
    user_agent
        .split(['/', ' ', '('])
        .find(|s| !s.is_empty())
        .unwrap_or(user_agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "newspipe/0.1 (+https://example.org/bot)";

    #[test]
    fn rules_apply_to_our_agent_with_delay() {
        let txt = "User-agent: *\nDisallow: /search\nCrawl-delay: 2\n\nUser-agent: newspipe\nDisallow: /private/\nCrawl-delay: 3\nSitemap: http://h/sitemap.xml\n";
        let p = RobotsPolicy::from_response(UA, Some(200), Some(txt));
        assert!(!p.allowed("http://h/private/x"));
        assert!(
            p.allowed("http://h/search?q=1"),
            "our group replaces the * group"
        );
        assert_eq!(p.crawl_delay(), Some(Duration::from_secs(3)));
        assert_eq!(p.sitemaps(), ["http://h/sitemap.xml"]);
    }

    #[test]
    fn status_codes_follow_rfc_9309() {
        assert!(RobotsPolicy::from_response(UA, Some(404), None).allowed("http://h/x"));
        assert!(!RobotsPolicy::from_response(UA, Some(503), None).allowed("http://h/x"));
        assert!(!RobotsPolicy::from_response(UA, None, None).allowed("http://h/x"));
        let star = "User-agent: *\nDisallow: /api/\n";
        let p = RobotsPolicy::from_response(UA, Some(200), Some(star));
        assert!(!p.allowed("http://h/api/v1"));
        assert!(p.allowed("http://h/news/a.html"));
        assert_eq!(p.crawl_delay(), None);
    }

    #[test]
    fn huge_delay_is_capped() {
        let p =
            RobotsPolicy::from_response(UA, Some(200), Some("User-agent: *\nCrawl-delay: 86400\n"));
        assert_eq!(p.crawl_delay(), Some(MAX_CRAWL_DELAY));
    }
}

//! Fetcher settings; the defaults are the production values.

use std::net::SocketAddr;
use std::time::Duration;

/// How one [`crate::Fetcher`] behaves. Every limit has a value by default because reqwest has
/// none: a crawler without timeouts or caps is stalled or exhausted by the first hostile server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// Sent on every request; the contact URL lets site owners reach us instead of blocking us.
    pub user_agent: String,
    /// TCP (+ TLS) connect phase.
    pub connect_timeout: Duration,
    /// Longest wait for any single read; resets after each read, so it catches stalled bodies.
    pub read_timeout: Duration,
    /// Deadline for the whole fetch: connect, redirects, headers and body.
    pub total_timeout: Duration,
    /// Redirects followed; one more fails with [`crate::FetchError::TooManyRedirects`].
    pub max_redirects: usize,
    /// Cap on the decoded (decompressed) body of an [`crate::Accept::Html`] fetch. Past it the
    /// body is cut and `truncated` is set; counting decoded bytes also bounds gzip bombs.
    pub max_body_bytes: usize,
    /// Cap for [`crate::Accept::Text`] (robots.txt). Google reads 500 KiB of a robots.txt, so
    /// more than that is never useful and only costs memory.
    pub max_text_bytes: usize,
    /// Off in production: loopback, private, link-local (cloud metadata) and other non-public
    /// addresses are refused. Tests and local sitegen runs turn it on.
    pub allow_private_networks: bool,
    /// Exact socket addresses exempt from the SSRF guard when they appear as an IP literal in a
    /// URL, e.g. one local test server. Names are never exempt: they resolve through the guard.
    /// Empty in production.
    pub allow_addrs: Vec<SocketAddr>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent: "newspipe/0.1 (+https://github.com/newspipe/newspipe)".to_owned(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            max_redirects: 5,
            max_body_bytes: 10 * 1024 * 1024,
            max_text_bytes: 512 * 1024,
            allow_private_networks: false,
            allow_addrs: Vec::new(),
        }
    }
}

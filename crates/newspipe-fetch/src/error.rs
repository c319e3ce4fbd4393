//! Fetch errors and how each one, or a final HTTP status, maps to a frontier [`Disposition`].

use newspipe_model::Disposition;

/// Why a fetch produced no [`crate::Fetched`].
///
/// Variants carry strings (the full cause chain, already formatted) rather than the reqwest error:
/// the crawler records the reason in a message, and a `Clone + PartialEq` error is easier to test
/// and to pass through the redirect policy and the DNS resolver, which must box their errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL cannot be requested at all (no host, unparsable redirect target).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// Only `http` and `https` are fetched, on the first request and on every redirect hop.
    #[error("unsupported URL scheme {0:?}")]
    Scheme(String),
    /// Refused by the SSRF guard: the URL or a redirect points at, or a name resolves only to,
    /// a non-public address. Permanent: the same address is refused on every try. The message
    /// names the setting that allows it ([`BLOCKED_HINT`]), so a user who crawls a local site
    /// sees the fix in the URL's reason.
    #[error("blocked by the SSRF guard: {0} ({BLOCKED_HINT})")]
    Blocked(String),
    /// More redirects than `max_redirects`.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// Connect, read or total deadline passed.
    #[error("timed out")]
    Timeout,
    /// DNS failure, refused or reset connection, TLS handshake failure.
    #[error("connection failed: {0}")]
    Connect(String),
    /// A 2xx response whose content type is not one we archive; its body was not downloaded.
    #[error("unsupported content type {0:?}")]
    UnsupportedContentType(String),
    /// The body failed mid-stream (connection reset, corrupt compression).
    #[error("reading the body failed: {0}")]
    Body(String),
    /// The server's response is not something we can read, and will not be on the next try:
    /// a response head larger than the client accepts ("message head is too large"), or a
    /// head that is not HTTP at all. Permanent.
    #[error("invalid HTTP response: {0}")]
    InvalidResponse(String),
    /// Any other HTTP-level failure (protocol error mid-exchange, connection closed before a
    /// response). Transient.
    #[error("HTTP request failed: {0}")]
    Http(String),
    /// The HTTP client could not be built (only from [`crate::Fetcher::new`]).
    #[error("HTTP client could not be built: {0}")]
    Build(String),
}

/// Appended to every [`FetchError::Blocked`] message: the setting that lifts the guard.
pub const BLOCKED_HINT: &str = "set crawler.allow_private_networks = true to allow";

impl FetchError {
    /// What the frontier should do with the URL after this error.
    ///
    /// Only failures that may go away by themselves are `Retry`; everything the same request
    /// would meet again (guard, scheme, oversized head, redirect loop) is `Fail` or `Skip`
    /// at once, so it does not burn the attempt budget and the reason says why.
    ///
    /// | variant | disposition | why |
    /// | --- | --- | --- |
    /// | `Timeout`, `Connect`, `Body`, `Http` | `Retry` | network or server trouble; the frontier's attempt cap ends a permanent outage (NXDOMAIN) |
    /// | `InvalidUrl`, `TooManyRedirects`, `InvalidResponse`, `Build` | `Fail` | the same request fails the same way |
    /// | `Scheme`, `Blocked`, `UnsupportedContentType` | `Skip` | policy: not something we fetch or archive |
    pub fn disposition(&self) -> Disposition {
        match self {
            Self::Timeout | Self::Connect(_) | Self::Body(_) | Self::Http(_) => Disposition::Retry,
            Self::InvalidUrl(_)
            | Self::TooManyRedirects(_)
            | Self::InvalidResponse(_)
            | Self::Build(_) => Disposition::Fail,
            Self::Scheme(_) | Self::Blocked(_) | Self::UnsupportedContentType(_) => {
                Disposition::Skip
            }
        }
    }

    /// True when trying again later can succeed (`disposition() == Retry`). A robots.txt
    /// fetch that fails with a permanent error must not be reported as "unreachable, retry".
    pub fn is_transient(&self) -> bool {
        self.disposition() == Disposition::Retry
    }
}

/// Maps a final HTTP status to what the frontier should do: 2xx → `None` (a page to process);
/// 408, 425, 429 and 5xx → `Retry`; 304 → `Skip` (nothing new to archive); 404, 410, other 4xx
/// and unfollowed 3xx → `Fail`.
pub fn status_disposition(status: u16) -> Option<Disposition> {
    match status {
        200..=299 => None,
        304 => Some(Disposition::Skip),
        // 408 Request Timeout, 425 Too Early and 429 Too Many Requests say "later", not "never".
        408 | 425 | 429 | 500..=599 => Some(Disposition::Retry),
        _ => Some(Disposition::Fail),
    }
}

/// Formats an error with its whole `source()` chain: reqwest's top-level message alone
/// ("error sending request") does not say what went wrong.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        // hyper and reqwest often repeat the inner message; keep the text short.
        if !out.ends_with(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        source = e.source();
    }
    out
}

/// Classifies a reqwest error. Our own guard errors travel inside it (from the redirect policy
/// and the resolver), so they are looked for first in the cause chain.
pub(crate) fn from_reqwest(err: &reqwest::Error) -> FetchError {
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        if let Some(ours) = e.downcast_ref::<FetchError>() {
            return ours.clone();
        }
        source = e.source();
    }
    // hyper's parse errors (head too large, not HTTP) are permanent; reqwest reports them as
    // plain request errors, so they are recognised by type in the chain.
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && h.is_parse()
        {
            let what = if h.is_parse_too_large() {
                "response head too large"
            } else {
                "response head is not valid HTTP"
            };
            return FetchError::InvalidResponse(format!("{what}: {}", chain(err)));
        }
        source = e.source();
    }
    if err.is_timeout() {
        FetchError::Timeout
    } else if err.is_connect() {
        FetchError::Connect(chain(err))
    } else if err.is_body() || err.is_decode() {
        FetchError::Body(chain(err))
    } else if err.is_builder() {
        FetchError::InvalidUrl(chain(err))
    } else {
        FetchError::Http(chain(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_dispositions() {
        assert_eq!(status_disposition(200), None);
        assert_eq!(status_disposition(204), None);
        assert_eq!(status_disposition(304), Some(Disposition::Skip));
        assert_eq!(status_disposition(301), Some(Disposition::Fail));
        assert_eq!(status_disposition(404), Some(Disposition::Fail));
        assert_eq!(status_disposition(410), Some(Disposition::Fail));
        assert_eq!(status_disposition(403), Some(Disposition::Fail));
        assert_eq!(status_disposition(408), Some(Disposition::Retry));
        assert_eq!(status_disposition(429), Some(Disposition::Retry));
        assert_eq!(status_disposition(500), Some(Disposition::Retry));
        assert_eq!(status_disposition(503), Some(Disposition::Retry));
    }

    #[test]
    fn errors_map_to_dispositions() {
        assert_eq!(FetchError::Timeout.disposition(), Disposition::Retry);
        assert_eq!(
            FetchError::Connect("x".into()).disposition(),
            Disposition::Retry
        );
        assert_eq!(
            FetchError::Body("x".into()).disposition(),
            Disposition::Retry
        );
        assert_eq!(
            FetchError::TooManyRedirects(5).disposition(),
            Disposition::Fail
        );
        assert_eq!(
            FetchError::InvalidUrl("x".into()).disposition(),
            Disposition::Fail
        );
        assert_eq!(
            FetchError::Blocked("x".into()).disposition(),
            Disposition::Skip
        );
        assert_eq!(
            FetchError::Scheme("ftp".into()).disposition(),
            Disposition::Skip
        );
        assert_eq!(
            FetchError::UnsupportedContentType("image/png".into()).disposition(),
            Disposition::Skip
        );
    }
}

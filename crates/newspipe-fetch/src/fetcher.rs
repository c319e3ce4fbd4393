//! The fetcher: one reqwest client with timeouts, a guarded redirect policy, a guarded resolver,
//! a content-type filter and a size-capped body reader.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, Response, redirect};
use url::{Host, Url};

use newspipe_model::host_key;

use crate::charset::{decode_owned, detect_encoding};
use crate::error::{FetchError, from_reqwest};
use crate::guard::{Guard, PublicResolver};
use crate::{FetchConfig, HostLimiter};

/// Idle keep-alive connections kept per host. Politeness means one or two requests in flight per
/// host, so more idle sockets would only hold server resources.
const POOL_IDLE_PER_HOST: usize = 2;

/// Body bytes read from a non-2xx response. Nobody archives error pages; reading a little lets a
/// short error body finish so the connection can be reused, and gives a clue in logs.
const ERROR_BODY_BYTES: usize = 64 * 1024;

/// Longest wait for a non-2xx body.
const ERROR_BODY_WAIT: Duration = Duration::from_secs(2);

/// How many leading bytes decide whether an untyped body is HTML.
const SNIFF_BYTES: usize = 512;

/// What the caller is willing to receive; anything else is refused before the body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// A page of the site: `text/html` or `application/xhtml+xml`, or a discovery document
    /// (a sitemap or feed: XML, RSS, Atom, JSON Feed, gzip). Without a Content-Type the first
    /// bytes must look like one of those (`<!doctype`, `<html`, `<?xml`, gzip's magic, ...).
    /// Capped at `max_body_bytes`.
    Html,
    /// Any `text/*` or no Content-Type at all (robots.txt is served every which way).
    /// Capped at `max_text_bytes`.
    Text,
}

impl Accept {
    fn header_value(self) -> &'static str {
        match self {
            Self::Html => {
                "text/html,application/xhtml+xml;q=0.9,application/xml;q=0.8,\
                 application/rss+xml;q=0.8,application/atom+xml;q=0.8,*/*;q=0.1"
            }
            Self::Text => "text/plain,text/*;q=0.9,*/*;q=0.1",
        }
    }
}

/// What the Content-Type says about the body before any of it is read.
enum TypeCheck {
    Accepted,
    /// No usable Content-Type: look at the first bytes.
    Sniff,
    Refused(String),
}

fn check_content_type(accept: Accept, content_type: Option<&str>) -> TypeCheck {
    let mime = content_type
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|m| !m.is_empty());
    match (accept, mime) {
        (Accept::Html, None) => TypeCheck::Sniff,
        (Accept::Html, Some(m)) if m == "text/html" || m == "application/xhtml+xml" => {
            TypeCheck::Accepted
        }
        // Sitemaps and feeds: the parser tells them apart (and refuses what is neither).
        (Accept::Html, Some(m))
            if matches!(
                m.as_str(),
                "application/xml"
                    | "text/xml"
                    | "application/rss+xml"
                    | "application/atom+xml"
                    | "application/rdf+xml"
                    | "application/feed+json"
                    | "application/json"
                    | "application/gzip"
                    | "application/x-gzip"
            ) =>
        {
            TypeCheck::Accepted
        }
        (Accept::Text, None) => TypeCheck::Accepted,
        (Accept::Text, Some(m)) if m.starts_with("text/") => TypeCheck::Accepted,
        (_, Some(m)) => TypeCheck::Refused(m),
    }
}

/// True when the first bytes of an untyped body look like HTML, or like a sitemap or feed
/// (XML, gzip).
fn looks_like_html(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return true;
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .trim_ascii_start();
    [
        &b"<!doctype"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<title",
        b"<meta",
        b"<?xml",
        b"<urlset",
        b"<sitemapindex",
        b"<rss",
        b"<feed",
    ]
    .iter()
    .any(|p| bytes.len() >= p.len() && bytes[..p.len()].eq_ignore_ascii_case(p))
}

/// A response, decoded. Returned for every final status; the caller maps non-2xx statuses with
/// [`crate::status_disposition`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// After redirects.
    pub final_url: Url,
    pub status: u16,
    /// The raw Content-Type header.
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// From `Retry-After` (delta-seconds or HTTP-date; a past date gives zero), on any status,
    /// exact to the nanosecond: an HTTP-date is measured from the moment the headers arrived.
    /// Callers that store it coarser must round UP ([`Fetched::retry_after_ms`],
    /// [`ceil_secs`]): truncating 0.25 s to 0 s would ask the host again too early.
    pub retry_after: Option<Duration>,
    /// The body decoded to UTF-8. For a non-2xx status at most 64 KiB of it, read within 2 s
    /// (empty and `truncated` when that failed).
    pub body: String,
    /// The body hit the cap and was cut.
    pub truncated: bool,
    /// The WHATWG name of the encoding the body was decoded from (`"UTF-8"`, `"windows-1251"`).
    pub encoding: &'static str,
    /// The bytes as received, when they differ from `body`'s UTF-8 (another encoding, a BOM,
    /// invalid sequences); `None` when `body` is exactly what was received. See
    /// [`Fetched::raw_bytes`].
    pub raw: Option<Vec<u8>>,
}

impl Fetched {
    /// The body exactly as received (after content-encoding), to archive and decode again.
    pub fn raw_bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.body.as_bytes())
    }
}

impl Fetched {
    /// `retry_after` in whole milliseconds, rounded up (never shortens the server's wait).
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.retry_after.map(ceil_millis)
    }

    /// `retry_after` in whole seconds, rounded up (for a field that only holds seconds).
    pub fn retry_after_secs_ceil(&self) -> Option<u64> {
        self.retry_after.map(ceil_secs)
    }
}

/// `d` in whole milliseconds, rounded up; saturates at `u64::MAX`.
pub fn ceil_millis(d: Duration) -> u64 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    u64::try_from(ms).unwrap_or(u64::MAX)
}

/// `d` in whole seconds, rounded up.
pub fn ceil_secs(d: Duration) -> u64 {
    d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))
}

/// Fetches single URLs. Cheap to clone: clones share one connection pool.
/// Validators of the copy we hold, for a conditional GET ([`Fetcher::fetch_conditional`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since` (an HTTP-date, as the server gave it).
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: Client,
    guard: Guard,
    cfg: FetchConfig,
}

impl Fetcher {
    /// Builds the client. Fails only if the TLS backend cannot be initialised or the user agent
    /// is not a valid header value.
    pub fn new(cfg: FetchConfig) -> Result<Self, FetchError> {
        let guard = Guard::new(&cfg);
        let mut builder = Client::builder()
            .user_agent(cfg.user_agent.as_str())
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .timeout(cfg.total_timeout)
            // Redirects are followed by `fetch_gated` itself, hop by hop, so that every hop
            // passes the SSRF guard and, when a gate is given, the host's interval.
            .redirect(redirect::Policy::none())
            // An environment proxy would resolve names itself, out of the guard's sight.
            .no_proxy()
            .pool_max_idle_per_host(POOL_IDLE_PER_HOST)
            .gzip(true)
            .brotli(true)
            .zstd(true)
            .deflate(true);
        if !cfg.allow_private_networks {
            builder = builder.dns_resolver(Arc::new(PublicResolver));
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Build(crate::error::chain(&e)))?;
        Ok(Self {
            inner: Arc::new(Inner { client, guard, cfg }),
        })
    }

    /// The settings this fetcher was built with.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.cfg
    }

    /// GETs `url`, following guarded redirects, and decodes the body to UTF-8.
    ///
    /// A 2xx response whose content type `accept` refuses fails with
    /// [`FetchError::UnsupportedContentType`] before its body is read. Non-2xx statuses are
    /// returned as [`Fetched`], not errors.
    ///
    /// Redirect hops are not rate limited; a crawler should use [`Fetcher::fetch_gated`].
    pub async fn fetch(&self, url: &Url, accept: Accept) -> Result<Fetched, FetchError> {
        self.fetch_gated(url, accept, None).await
    }

    /// [`Fetcher::fetch`], with every redirect hop waiting for its host's turn at `gate`.
    ///
    /// Before each hop after the first, `gate.until_ready(host_key(hop))` is awaited (the key
    /// is [`newspipe_model::host_key`], the same key the crawl jobs carry), so a chain of
    /// redirects within one host keeps that host's interval, and a hop to another host keeps
    /// the other host's. A hop back to a host of the chain also waits one interval
    /// ([`HostLimiter::interval`]) from that host's last answer, so the server never sees two
    /// requests closer than the interval however slowly it answered. The first request is
    /// not gated here: the caller has already waited
    /// for its slot. Time spent waiting at the gate does not count toward `total_timeout`,
    /// which bounds the server's time only. Every hop is checked by the SSRF guard.
    pub async fn fetch_gated(
        &self,
        url: &Url,
        accept: Accept,
        gate: Option<&HostLimiter>,
    ) -> Result<Fetched, FetchError> {
        self.fetch_conditional(url, accept, gate, &Conditional::default())
            .await
    }

    /// [`Fetcher::fetch_gated`] as a conditional GET: `If-None-Match` / `If-Modified-Since` from
    /// the validators of the copy we hold. A `304 Not Modified` comes back as a [`Fetched`] with
    /// status 304 and no body.
    pub async fn fetch_conditional(
        &self,
        url: &Url,
        accept: Accept,
        gate: Option<&HostLimiter>,
        cond: &Conditional,
    ) -> Result<Fetched, FetchError> {
        self.inner.guard.check_url(url)?;
        let started = Instant::now();
        let result = self.fetch_inner(url, accept, gate, cond).await;
        match &result {
            Ok(f) => tracing::debug!(
                %url, status = f.status, bytes = f.body.len(), truncated = f.truncated,
                elapsed_ms = started.elapsed().as_millis() as u64, "fetched"
            ),
            Err(e) => tracing::debug!(
                %url, error = %e, elapsed_ms = started.elapsed().as_millis() as u64, "fetch failed"
            ),
        }
        result
    }

    /// Sends one GET within the deadline.
    async fn send(
        &self,
        url: &Url,
        accept: Accept,
        cond: &Conditional,
        deadline: tokio::time::Instant,
    ) -> Result<Response, FetchError> {
        let mut request = self
            .inner
            .client
            .get(url.clone())
            .header(header::ACCEPT, accept.header_value());
        // A validator that is not a valid header value (it came from a server) is not sent:
        // the request is then an ordinary GET.
        let validators = [
            (header::IF_NONE_MATCH, &cond.etag),
            (header::IF_MODIFIED_SINCE, &cond.last_modified),
        ];
        for (name, value) in validators {
            if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                request = request.header(name, v);
            }
        }
        let request = request.send();
        tokio::time::timeout_at(deadline, request)
            .await
            .map_err(|_| FetchError::Timeout)?
            .map_err(|e| from_reqwest(&e))
    }

    /// Follows redirects up to the final response, then reads it. `deadline` is the total
    /// timeout; reqwest has its own per-request one, and this outer one also bounds our body
    /// loop and decoding, so no code path outlives it. Gate waits push it back.
    async fn fetch_inner(
        &self,
        url: &Url,
        accept: Accept,
        gate: Option<&HostLimiter>,
        cond: &Conditional,
    ) -> Result<Fetched, FetchError> {
        let mut deadline = tokio::time::Instant::now() + self.inner.cfg.total_timeout;
        let mut current = url.clone();
        let mut hops = 0usize;
        // When each host of the chain last answered: the gate's slot was taken before the
        // request went out, so a slow answer would otherwise leave less than one interval
        // between this host's requests as the server sees them.
        let mut answered: Vec<(String, Instant)> = Vec::new();
        let mut resp = loop {
            let mut resp = self.send(&current, accept, cond, deadline).await?;
            let key = host_key(&current);
            answered.retain(|(k, _)| *k != key);
            answered.push((key, Instant::now()));
            let Some(next) = redirect_target(&resp, &current)? else {
                break resp;
            };
            if hops == self.inner.cfg.max_redirects {
                return Err(FetchError::TooManyRedirects(self.inner.cfg.max_redirects));
            }
            if let Err(e) = self.inner.guard.check_url(&next) {
                tracing::debug!(from = %current, to = %next, error = %e, "redirect refused");
                return Err(e);
            }
            // A short redirect body is read so the connection can serve the next hop.
            let drain = read_capped(&mut resp, ERROR_BODY_BYTES, false);
            let _ =
                tokio::time::timeout(ERROR_BODY_WAIT.min(self.inner.cfg.read_timeout), drain).await;
            drop(resp);
            hops += 1;
            if let Some(gate) = gate {
                let waited = Instant::now();
                let key = host_key(&next);
                if let Some((_, at)) = answered.iter().find(|(k, _)| *k == key) {
                    tokio::time::sleep_until((*at + gate.interval()).into()).await;
                }
                gate.until_ready(&key).await;
                deadline += waited.elapsed();
            }
            tracing::debug!(from = %current, to = %next, hop = hops, "following redirect");
            current = next;
        };
        tokio::time::timeout_at(deadline, self.read_response(&mut resp, current, accept))
            .await
            .unwrap_or(Err(FetchError::Timeout))
    }

    async fn read_response(
        &self,
        resp: &mut Response,
        final_url: Url,
        accept: Accept,
    ) -> Result<Fetched, FetchError> {
        let status = resp.status().as_u16();
        let headers = resp.headers();
        let content_type = header_string(headers, header::CONTENT_TYPE);
        let etag = header_string(headers, header::ETAG);
        let last_modified = header_string(headers, header::LAST_MODIFIED);
        let retry_after = header_string(headers, header::RETRY_AFTER)
            .and_then(|v| parse_retry_after(&v, Utc::now()));

        if !resp.status().is_success() {
            // The status (and Retry-After) is the answer; a slow or broken error body must not
            // turn a 503 into a timeout, so it gets a short budget and failures are ignored.
            let cap = ERROR_BODY_BYTES.min(self.inner.cfg.max_body_bytes);
            let budget = ERROR_BODY_WAIT.min(self.inner.cfg.read_timeout);
            let (bytes, truncated) =
                match tokio::time::timeout(budget, read_capped(resp, cap, false)).await {
                    Ok(Ok(read)) => read,
                    _ => (Vec::new(), true),
                };
            let encoding = detect_encoding(&bytes, content_type.as_deref(), None);
            return Ok(Fetched {
                final_url,
                status,
                content_type,
                etag,
                last_modified,
                retry_after,
                body: decode_owned(bytes, encoding),
                truncated,
                encoding: encoding.name(),
                raw: None,
            });
        }

        let (cap, sniff) = {
            let cap = match accept {
                Accept::Html => self.inner.cfg.max_body_bytes,
                Accept::Text => self.inner.cfg.max_text_bytes,
            };
            match check_content_type(accept, content_type.as_deref()) {
                TypeCheck::Accepted => (cap, false),
                TypeCheck::Sniff => (cap, true),
                // Dropping the response closes the connection without reading the body.
                TypeCheck::Refused(mime) => return Err(FetchError::UnsupportedContentType(mime)),
            }
        };

        let (bytes, truncated) = read_capped(resp, cap, sniff).await?;
        let tld = match final_url.host() {
            Some(Host::Domain(d)) => Some(d),
            _ => None,
        };
        let encoding = detect_encoding(&bytes, content_type.as_deref(), tld);
        // Most of the web is valid UTF-8 without a BOM: then the decoded body is the raw body
        // and no second copy is kept.
        let same = encoding == encoding_rs::UTF_8
            && !bytes.starts_with(b"\xEF\xBB\xBF")
            && std::str::from_utf8(&bytes).is_ok();
        let raw = (!same).then(|| bytes.clone());
        Ok(Fetched {
            encoding: encoding.name(),
            raw,
            body: decode_owned(bytes, encoding),
            final_url,
            status,
            content_type,
            etag,
            last_modified,
            retry_after,
            truncated,
        })
    }
}

/// Where a response redirects to, if it is a redirect we follow: 301, 302, 303, 307 or 308
/// with a `Location` that resolves against `current`. A 3xx without a usable `Location` is a
/// final response (the caller maps it with [`crate::status_disposition`]). A target that is
/// not http(s) is refused here with [`FetchError::Scheme`], so the reason names it.
fn redirect_target(resp: &Response, current: &Url) -> Result<Option<Url>, FetchError> {
    if !matches!(resp.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = resp.headers().get(header::LOCATION) else {
        return Ok(None);
    };
    let Ok(location) = std::str::from_utf8(location.as_bytes()) else {
        return Ok(None);
    };
    let Ok(next) = current.join(location.trim()) else {
        return Ok(None);
    };
    match next.scheme() {
        "http" | "https" => Ok(Some(next)),
        other => Err(FetchError::Scheme(other.to_owned())),
    }
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    // Non-ASCII header bytes are lossily kept rather than dropped: an ETag is opaque anyway.
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Streams the (already decompressed) body and stops at `cap` bytes. Returns the bytes and
/// whether more followed. With `sniff`, fails as soon as the first bytes are known not to be HTML.
///
/// This is the only place a body is read: `Response::text()` / `bytes()` read without a bound.
async fn read_capped(
    resp: &mut Response,
    cap: usize,
    sniff: bool,
) -> Result<(Vec<u8>, bool), FetchError> {
    // content_length is the compressed size and only a hint; bound the preallocation.
    let hint = resp.content_length().unwrap_or(0) as usize;
    let mut buf = Vec::with_capacity(hint.min(cap).min(256 * 1024));
    let mut sniff_pending = sniff;
    let mut truncated = false;
    while let Some(chunk) = resp.chunk().await.map_err(|e| from_reqwest(&e))? {
        let room = cap - buf.len();
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            truncated = true;
        } else {
            buf.extend_from_slice(&chunk);
        }
        if sniff_pending && buf.len() >= SNIFF_BYTES.min(cap) {
            sniff_pending = false;
            if !looks_like_html(&buf) {
                return Err(FetchError::UnsupportedContentType(
                    "(none, not HTML)".into(),
                ));
            }
        }
        if truncated {
            break;
        }
        if buf.len() == cap {
            // Exactly at the cap: only one more chunk tells whether anything was cut.
            truncated = resp
                .chunk()
                .await
                .map_err(|e| from_reqwest(&e))?
                .is_some_and(|c| !c.is_empty());
            break;
        }
    }
    if sniff_pending && !looks_like_html(&buf) {
        return Err(FetchError::UnsupportedContentType(
            "(none, not HTML)".into(),
        ));
    }
    Ok((buf, truncated))
}

/// Parses a `Retry-After` value: delta-seconds, or an HTTP-date (IMF-fixdate, RFC 850 or asctime
/// form) measured from `now`. A date in the past gives zero; garbage gives `None`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long numbers saturate instead of failing: "a long time" is still the meaning.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT").map(|d| d.and_utc())
        })
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y").map(|d| d.and_utc())
        })
        .ok()?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 28, 0).unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:30 2015", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn retry_after_date_a_fraction_ahead_is_never_rounded_down() {
        // 0.25 s before the date: the wait is exactly 250 ms, and rounding goes up.
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 59).unwrap()
            + chrono::Duration::milliseconds(750);
        let wait = parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now).unwrap();
        assert_eq!(wait, Duration::from_millis(250));
        assert_eq!(ceil_secs(wait), 1);
        assert_eq!(ceil_millis(wait), 250);
        let f = |d| Fetched {
            final_url: Url::parse("http://example.com/").unwrap(),
            status: 503,
            content_type: None,
            etag: None,
            last_modified: None,
            retry_after: d,
            body: String::new(),
            truncated: false,
            encoding: "UTF-8",
            raw: None,
        };
        assert_eq!(f(Some(wait)).retry_after_secs_ceil(), Some(1));
        assert_eq!(f(Some(wait)).retry_after_ms(), Some(250));
        let odd = Duration::from_nanos(1_000_000_001);
        assert_eq!(f(Some(odd)).retry_after_ms(), Some(1001));
        assert_eq!(f(Some(odd)).retry_after_secs_ceil(), Some(2));
        assert_eq!(
            f(Some(Duration::from_secs(120))).retry_after_secs_ceil(),
            Some(120)
        );
        assert_eq!(f(Some(Duration::ZERO)).retry_after_ms(), Some(0));
        assert_eq!(f(None).retry_after_ms(), None);
        assert_eq!(ceil_millis(Duration::MAX), u64::MAX);
        assert_eq!(ceil_secs(Duration::MAX), u64::MAX);
    }

    #[test]
    fn content_types_are_filtered() {
        use TypeCheck::*;
        let check = |a, ct| check_content_type(a, ct);
        assert!(matches!(
            check(Accept::Html, Some("text/html; charset=utf-8")),
            Accepted
        ));
        assert!(matches!(
            check(Accept::Html, Some("Application/XHTML+XML")),
            Accepted
        ));
        assert!(matches!(check(Accept::Html, None), Sniff));
        assert!(matches!(check(Accept::Html, Some("")), Sniff));
        assert!(matches!(check(Accept::Html, Some("image/png")), Refused(m) if m == "image/png"));
        assert!(matches!(
            check(Accept::Html, Some("text/plain")),
            Refused(_)
        ));
        assert!(matches!(check(Accept::Text, Some("text/plain")), Accepted));
        assert!(matches!(check(Accept::Text, Some("text/html")), Accepted));
        assert!(matches!(check(Accept::Text, None), Accepted));
        assert!(matches!(
            check(Accept::Text, Some("application/pdf")),
            Refused(_)
        ));
    }

    #[test]
    fn html_is_sniffed() {
        assert!(looks_like_html(b"\xEF\xBB\xBF  \n<!DOCTYPE html><html>"));
        assert!(looks_like_html(b"<HTML lang=en>"));
        assert!(!looks_like_html(b"\x89PNG\r\n"));
        assert!(!looks_like_html(b"%PDF-1.7"));
        assert!(looks_like_html(b"<?xml version=\"1.0\"?><urlset>"));
        assert!(looks_like_html(b"\x1f\x8b\x08\x00"));
        assert!(!looks_like_html(b""));
    }
}

//! URL validation and normalisation: one spelling per resource, so the frontier stores each URL once.

use thiserror::Error;
use url::Url;

/// Why a URL was refused at the edge.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("not a URL: {0}")]
    Parse(#[from] url::ParseError),
    #[error("scheme {0:?} is not http or https")]
    Scheme(String),
    #[error("URL has no host")]
    NoHost,
    #[error("URL is longer than {MAX_URL_LEN} bytes")]
    TooLong,
}

/// Longer URLs are almost always traps (session ids, calendars); browsers cap near here too.
pub const MAX_URL_LEN: usize = 2048;

/// Query parameters that only track the visitor and never change the page.
fn is_tracking_param(key: &str) -> bool {
    key.starts_with("utm_")
        || matches!(
            key,
            "fbclid" | "gclid" | "dclid" | "msclkid" | "mc_cid" | "mc_eid" | "igshid" | "_ga"
        )
}

/// Parses and normalises an absolute URL given by a user or a page.
///
/// WHATWG parsing already lower-cases scheme and host, drops the default port, resolves dot
/// segments and canonicalises odd IPv4 forms; on top of that we drop the fragment, tracking
/// parameters and an empty query. Path case and parameter order are kept: servers may care.
pub fn normalize(input: &str) -> Result<Url, UrlError> {
    let url = Url::parse(input.trim())?;
    finish(url)
}

/// Resolves `href` against `base` and normalises it; `None` for links that are not web pages
/// we could fetch (mailto:, javascript:, data:, malformed).
pub fn normalize_link(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    finish(base.join(href).ok()?).ok()
}

fn finish(mut url: Url) -> Result<Url, UrlError> {
    match url.scheme() {
        "http" | "https" => {}
        other => return Err(UrlError::Scheme(other.to_string())),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::NoHost);
    }
    url.set_fragment(None);
    if let Some(q) = url.query() {
        if q.is_empty() {
            url.set_query(None);
        } else if q
            .split('&')
            .any(|kv| is_tracking_param(kv.split('=').next().unwrap_or("")))
        {
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| !is_tracking_param(k))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if kept.is_empty() {
                url.set_query(None);
            } else {
                url.query_pairs_mut().clear().extend_pairs(kept);
            }
        }
    }
    if url.as_str().len() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    Ok(url)
}

/// The politeness key of a URL: host plus explicit port (`example.com`, `127.0.0.2:8080`).
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_port_fragment_and_tracking() {
        let u = normalize("HTTP://Example.COM:80/a/../B?utm_source=x&id=3#top").unwrap();
        assert_eq!(u.as_str(), "http://example.com/B?id=3");
        let u = normalize("https://example.com/x?utm_medium=y").unwrap();
        assert_eq!(u.as_str(), "https://example.com/x");
        let u = normalize("https://example.com/x?").unwrap();
        assert_eq!(u.as_str(), "https://example.com/x");
    }

    #[test]
    fn refuses_what_we_cannot_crawl() {
        assert!(matches!(
            normalize("ftp://example.com/"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(normalize("not a url"), Err(UrlError::Parse(_))));
        assert!(matches!(normalize("http://"), Err(UrlError::Parse(_))));
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(normalize(&long), Err(UrlError::TooLong));
    }

    #[test]
    fn links_resolve_against_the_page() {
        let base = Url::parse("http://127.0.0.2:8080/world/a.html").unwrap();
        assert_eq!(
            normalize_link(&base, "../b.html#c").unwrap().as_str(),
            "http://127.0.0.2:8080/b.html"
        );
        assert!(normalize_link(&base, "mailto:a@b.c").is_none());
        assert!(normalize_link(&base, "#top").is_none());
        assert!(normalize_link(&base, "javascript:void(0)").is_none());
        assert_eq!(host_key(&base), "127.0.0.2:8080");
    }

    #[test]
    fn normalisation_is_idempotent() {
        for s in [
            "HTTP://Example.COM:80/a/./b/../c?utm_source=1&b=2&a=1#f",
            "https://例子.测试/路径?q=ä",
            "http://0x7f.1/",
            "https://ex.com/a%20b?x=%2F",
        ] {
            let once = normalize(s).unwrap();
            assert_eq!(normalize(once.as_str()).unwrap(), once, "{s}");
        }
    }
}

//! Outgoing links: absolute, normalised, deduplicated, in page order.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use url::Url;

/// Upper bound on links kept from one page; link farms should not flood the frontier.
const MAX_LINKS: usize = 5000;

/// Resolves and normalises raw `href`s against the page URL.
pub fn collect(base: Option<&Url>, hrefs: &[String]) -> Vec<Url> {
    let mut seen: HashSet<String, BuildHasherDefault<Fnv>> = HashSet::default();
    let mut out = Vec::new();
    for h in hrefs {
        let parsed = match base {
            Some(b) => newspipe_model::normalize_link(b, h),
            // Without a base only absolute links can be kept.
            None => Url::parse(h.trim())
                .ok()
                .and_then(|u| newspipe_model::normalize_link(&u, h)),
        };
        if let Some(u) = parsed
            && seen.insert(u.as_str().to_string())
        {
            out.push(u);
            if out.len() >= MAX_LINKS {
                break;
            }
        }
    }
    out
}

/// Feed URLs the page announces: resolved against the page, normalised, deduplicated. Without
/// a page URL only absolute ones are kept.
pub fn feeds(base: Option<&Url>, hrefs: &[String]) -> Vec<Url> {
    let mut out: Vec<Url> = Vec::new();
    for h in hrefs {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        let joined = match base {
            Some(b) => b.join(h),
            None => Url::parse(h),
        };
        if let Some(u) = joined
            .ok()
            .and_then(|u| newspipe_model::normalize(u.as_str()).ok())
            && !out.contains(&u)
        {
            out.push(u);
        }
    }
    out
}

/// Resolves one URL (image, canonical) to an absolute, normalised form.
pub fn absolute(base: Option<&Url>, raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.starts_with("data:") {
        return None;
    }
    match base {
        Some(b) => newspipe_model::normalize_link(b, raw).map(String::from),
        None => Url::parse(raw)
            .ok()
            .and_then(|u| newspipe_model::normalize_link(&u, raw))
            .map(String::from),
    }
}

/// FNV-1a: links are short and trusted to be unadversarial enough for a per-page set, and
/// SipHash showed up in profiles.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

#[cfg(test)]
mod tests {
    use url::Url;

    #[test]
    fn feeds_found_resolved_and_deduplicated() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/rss+xml" title="All" href="/feed/">
            <link rel="Alternate" type="application/atom+xml" href="https://Other.example/atom.xml#top">
            <link rel="alternate" type="application/feed+json" href="feed.json">
            <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            <link rel="alternate" hreflang="de" href="/de/story">
            <link rel="stylesheet" type="application/rss+xml" href="/not-a-feed">
            <link rel="alternate" type="text/html" href="/amp">
            <link rel="alternate" type="application/rss+xml" href="mailto:x@example.org">
            </head><body><p>x</p></body></html>"#;
        let base = Url::parse("https://news.example/world/story.html").unwrap();
        let got: Vec<String> = crate::extract(html, Some(&base))
            .feeds
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            got,
            [
                "https://news.example/feed/",
                "https://other.example/atom.xml",
                "https://news.example/world/feed.json",
                "https://news.example/wp-json/wp/v2/posts/1",
            ]
        );
        // Without a base only absolute feed URLs are usable.
        let got = crate::extract(html, None).feeds;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_str(), "https://other.example/atom.xml");
    }
}

//! Sitemaps and feeds to entries: `<urlset>` (with Google News), `<sitemapindex>`, RSS 2.0,
//! RSS 1.0/RDF, Atom and JSON Feed bytes become normalised absolute URLs with their dates and
//! titles. Pure: no IO, no global state; bounded memory; never panics on remote data.
//!
//! [`parse`] takes the body as fetched (gzip is found by its magic bytes, not the file name),
//! the document URL (the base for relative URLs) and the `Content-Type` header, and returns a
//! [`Discovered`] — entries plus what went wrong without stopping it — or a [`DiscoverError`]
//! saying why nothing could be taken (always permanent: skip the document with that reason).
//!
//! What the crate cannot know, the caller decides: a sitemap index is returned as entries of
//! kind [`DocKind::SitemapIndex`]; following them, refusing loops (an index listing itself or an
//! ancestor: compare with the fetch chain; an index listing its own URL also gets a warning) and
//! refusing depth beyond 3 is the caller's job, as are scope checks and `max_age_days`.
//! Entries are in document order and not de-duplicated.
//!
//! Guarantees against hostile input: the uncompressed document is cut at
//! [`Limits::max_uncompressed_bytes`]; gzipped XML is parsed as it inflates, so a gzip bomb costs
//! time up to the cap but not memory; a run of more than 4 MiB of text without `<` or `>` is
//! refused (it would sit whole in the XML reader's buffer); at most [`Limits::max_entries`]
//! entries are kept and the rest of the document is not read; each field's text is bounded;
//! warnings are aggregated into a few lines; DTD entities are never expanded ("billion laughs"
//! yields the literal `&name;` text and a warning) and external entities never fetched.

mod dates;
mod input;
mod json;
mod sink;
mod xml;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

pub use dates::parse as parse_date;

/// The protocol's cap on URLs in one sitemap file (sitemaps.org).
pub const MAX_SITEMAP_URLS: usize = 50_000;
/// The protocol's cap on one sitemap file's uncompressed size (sitemaps.org: 50 MB).
pub const MAX_SITEMAP_BYTES: usize = 50 * 1024 * 1024;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// `<sitemapindex>`: entries are child sitemaps.
    SitemapIndex,
    /// `<urlset>`, including Google News sitemaps (entries with `is_news`).
    UrlSet,
    /// RSS 2.0, 0.9x, and RSS 1.0 (RDF).
    Rss,
    /// Atom 1.0 (and 0.3).
    Atom,
    /// JSON Feed 1.0 / 1.1.
    JsonFeed,
}

impl DocKind {
    /// A stable lowercase name for logs and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::SitemapIndex => "sitemap_index",
            DocKind::UrlSet => "urlset",
            DocKind::Rss => "rss",
            DocKind::Atom => "atom",
            DocKind::JsonFeed => "json_feed",
        }
    }

    /// Feeds (as opposed to sitemaps): every entry is a news item.
    pub fn is_feed(self) -> bool {
        matches!(self, DocKind::Rss | DocKind::Atom | DocKind::JsonFeed)
    }
}

/// One URL a sitemap or feed lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Absolute, normalised (`newspipe_model::normalize`), http(s) only.
    pub url: String,
    /// Sitemap `<lastmod>` (urlset and sitemap index).
    pub lastmod: Option<DateTime<FixedOffset>>,
    /// `news:publication_date`, RSS `pubDate`, Atom `published`, JSON Feed `date_published`.
    pub published: Option<DateTime<FixedOffset>>,
    /// Atom `updated`, RSS `dc:date` / `atom:updated`, JSON Feed `date_modified`.
    pub updated: Option<DateTime<FixedOffset>>,
    /// `news:title` or the item's title, whitespace collapsed, at most 1,000 characters.
    pub title: Option<String>,
    /// A Google News sitemap entry or a feed item: fresh content, worth fetching first.
    pub is_news: bool,
}

impl Entry {
    /// The newest date the document gives for this URL: what a revisit schedule compares with
    /// its last fetch.
    pub fn changed_at(&self) -> Option<DateTime<FixedOffset>> {
        [self.lastmod, self.updated, self.published]
            .into_iter()
            .flatten()
            .max()
    }
}

/// What one document yielded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    pub kind: DocKind,
    /// In document order, at most [`Limits::max_entries`].
    pub entries: Vec<Entry>,
    /// Problems that did not stop parsing (aggregated: one line per kind of problem).
    pub warnings: Vec<String>,
    /// Entries dropped: invalid or non-http(s) URL, or none at all.
    pub skipped: usize,
    /// Why the document was not read to its end, when a cap cut it.
    pub truncated: Option<String>,
}

/// Caps applied to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries kept; the rest of the document is not read (default 50,000, the protocol's cap).
    pub max_entries: usize,
    /// Uncompressed bytes read, and also the bound on the entries' total text (default 50 MB).
    pub max_uncompressed_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: MAX_SITEMAP_URLS,
            max_uncompressed_bytes: MAX_SITEMAP_BYTES,
        }
    }
}

/// Why a document gave nothing. Every variant is permanent: skip the document and record the
/// message as the reason (refetching the same bytes gives the same answer).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DiscoverError {
    #[error("empty document: skip, nothing to discover")]
    Empty,
    #[error("not a sitemap or feed: looks like HTML; skip (extract it as a page instead)")]
    LooksLikeHtml,
    #[error("not a sitemap or feed: {0}; skip")]
    NotSitemapOrFeed(String),
    #[error("malformed {format} at byte {position}, before any entry: {reason}; skip")]
    Malformed {
        format: &'static str,
        position: u64,
        reason: String,
    },
    #[error("corrupt gzip: {0}; skip")]
    Gzip(String),
    #[error("no entry in the first {limit} bytes (the uncompressed cap): {reason}; skip")]
    TooLarge { limit: usize, reason: String },
}

impl DiscoverError {
    /// Never: the same bytes always give the same error.
    pub fn is_transient(&self) -> bool {
        false
    }

    /// A stable short label for metrics.
    pub fn code(&self) -> &'static str {
        match self {
            DiscoverError::Empty => "empty",
            DiscoverError::LooksLikeHtml => "html",
            DiscoverError::NotSitemapOrFeed(_) => "not_sitemap_or_feed",
            DiscoverError::Malformed { .. } => "malformed",
            DiscoverError::Gzip(_) => "gzip",
            DiscoverError::TooLarge { .. } => "too_large",
        }
    }
}

/// Parses a sitemap or feed. `base` is the document's URL: relative entry URLs resolve against
/// it (or Atom's `xml:base`). `content_type` is the HTTP header, used for the charset and to
/// recognise JSON and HTML. Bad input never panics.
pub fn parse(
    bytes: &[u8],
    base: &Url,
    content_type: Option<&str>,
    limits: &Limits,
) -> Result<Discovered, DiscoverError> {
    if input::is_gzip(bytes) {
        let mut sink = sink::Sink::new(base, limits);
        if let Some(result) = parse_gzip_stream(bytes, content_type, limits, &mut sink) {
            return result.map(|kind| sink.finish(kind));
        }
    }
    let raw = input::unwrap(bytes, limits.max_uncompressed_bytes)?;
    let mut warnings = raw.warnings;
    let text = input::decode(&raw.bytes, content_type, &mut warnings);
    let body = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if body.is_empty() {
        return Err(DiscoverError::Empty);
    }
    let mut sink = sink::Sink::new(base, limits);
    sink.truncated = raw.cut.clone();
    for w in warnings {
        sink.note(w);
    }
    let result = if body.starts_with('{') {
        json::parse(body, &mut sink)
    } else if body.starts_with('[') {
        Err(DiscoverError::NotSitemapOrFeed(
            "a JSON array, not a JSON Feed object".into(),
        ))
    } else {
        let guard = input::GuardState::default();
        let open = |skip: usize| {
            let rest = body.as_bytes().get(skip..).unwrap_or_default();
            std::io::BufReader::with_capacity(
                64 * 1024,
                input::Guarded::new(rest, usize::MAX, &guard),
            )
        };
        xml::parse(
            open,
            prefix(body, input::SNIFF_BYTES),
            content_type,
            &mut sink,
        )
    };
    match (result, raw.cut) {
        (Ok(kind), _) => Ok(sink.finish(kind)),
        // A document cut by the cap may fail because it was cut: say so.
        (
            Err(e @ (DiscoverError::Malformed { .. } | DiscoverError::NotSitemapOrFeed(_))),
            Some(_),
        ) => Err(DiscoverError::TooLarge {
            limit: limits.max_uncompressed_bytes,
            reason: e.to_string(),
        }),
        (Err(e), _) => Err(e),
    }
}

/// The first `n` bytes of `s`, cut at a character boundary.
fn prefix(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Gzipped UTF-8 XML is parsed as it inflates, so memory stays a few buffers however large the
/// document: a gzip bomb costs time up to the cap, not memory. `None` for what the buffered path
/// must handle (JSON, other charsets, gzip in gzip, nothing at all).
fn parse_gzip_stream(
    bytes: &[u8],
    content_type: Option<&str>,
    limits: &Limits,
    sink: &mut sink::Sink,
) -> Option<Result<DocKind, DiscoverError>> {
    let head = input::gunzip_prefix(bytes, input::SNIFF_BYTES);
    if input::is_gzip(&head) {
        return None;
    }
    let (enc, bom) = input::charset(&head, content_type);
    if enc != encoding_rs::UTF_8 {
        return None;
    }
    // Byte offsets in `head_text` must be offsets in the stream: valid UTF-8 only (a character
    // cut at the end of the prefix is dropped).
    let head_text = match std::str::from_utf8(&head[bom..]) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[bom..bom + e.valid_up_to()]).ok()?
        }
        Err(_) => return None,
    };
    // JSON Feeds and empty documents take the buffered path; anything else streams (junk
    // before the root included).
    let start = head_text.trim_start();
    if start.is_empty() || start.starts_with(['{', '[']) {
        return None;
    }
    let cap = limits.max_uncompressed_bytes;
    let guard = input::GuardState::default();
    // quick-xml drops a BOM at the start itself; a later start must skip it too.
    let open = |skip: usize| {
        input::gzip_stream(bytes, cap, if skip == 0 { 0 } else { bom + skip }, &guard)
    };
    let result = xml::parse(open, head_text, content_type, sink);
    let hit_cap = guard.hit_cap.get();
    if hit_cap && sink.truncated.is_none() {
        sink.truncated = Some(input::cap_reason(cap));
    }
    Some(match result {
        Err(e @ (DiscoverError::Malformed { .. } | DiscoverError::NotSitemapOrFeed(_)))
            if hit_cap =>
        {
            Err(DiscoverError::TooLarge {
                limit: cap,
                reason: e.to_string(),
            })
        }
        other => other,
    })
}

/// Cheaply tells whether bytes are a sitemap or feed, and which, from the first 64 KiB (gzip
/// inflated as needed) and the `Content-Type`. `None` for anything else, HTML included.
pub fn sniff(bytes: &[u8], content_type: Option<&str>) -> Option<DocKind> {
    let head: std::borrow::Cow<[u8]> = if input::is_gzip(bytes) {
        input::gunzip_prefix(bytes, input::SNIFF_BYTES).into()
    } else {
        bytes[..bytes.len().min(input::SNIFF_BYTES)].into()
    };
    let mut w = Vec::new();
    let text = input::decode(&head, content_type, &mut w);
    let body = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if body.starts_with('{') {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        return (body.contains("jsonfeed.org/version") || ct.contains("feed+json"))
            .then_some(DocKind::JsonFeed);
    }
    xml::sniff_root(body)
}

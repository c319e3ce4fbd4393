//! Where every format's parser hands its entries: URL resolution and normalisation, the caps,
//! and warnings aggregated so a document with a million bad entries still yields a few lines.

use chrono::{DateTime, FixedOffset};
use newspipe_model::{UrlError, normalize};
use url::Url;

use crate::{Discovered, DocKind, Entry, Limits};

/// Text kept per field: a URL longer than `newspipe_model::MAX_URL_LEN` is refused anyway.
pub(crate) const MAX_FIELD_BYTES: usize = 8 * 1024;
/// Characters kept of a title.
const MAX_TITLE_CHARS: usize = 1000;
/// Free-form warnings kept; later ones are only counted.
const MAX_NOTES: usize = 16;
/// Characters of an offending value quoted in a warning.
const MAX_QUOTE: usize = 120;

/// An entry as the document spelled it, before resolution.
#[derive(Default, Debug)]
pub(crate) struct RawEntry {
    pub url: Option<String>,
    pub lastmod: Option<DateTime<FixedOffset>>,
    pub published: Option<DateTime<FixedOffset>>,
    pub updated: Option<DateTime<FixedOffset>>,
    pub title: Option<String>,
    pub is_news: bool,
}

/// A kind of problem: how often, and the first example.
#[derive(Default)]
struct Tally {
    n: usize,
    first: Option<String>,
}

impl Tally {
    fn add(&mut self, example: impl FnOnce() -> String) {
        self.n += 1;
        if self.first.is_none() {
            self.first = Some(example());
        }
    }
}

pub(crate) struct Sink<'a> {
    base: &'a Url,
    limits: &'a Limits,
    entries: Vec<Entry>,
    out_bytes: usize,
    pub truncated: Option<String>,
    bad_url: Tally,
    bad_scheme: Tally,
    no_url: usize,
    bad_date: Tally,
    entity: Tally,
    notes: Vec<String>,
    dropped_notes: usize,
}

pub(crate) fn quote(s: &str) -> String {
    let t: String = s.trim().chars().take(MAX_QUOTE).collect();
    if t.len() < s.trim().len() {
        format!("{t:?}…")
    } else {
        format!("{t:?}")
    }
}

/// Trims and collapses whitespace; bounded length.
pub(crate) fn clean_title(s: &str) -> Option<String> {
    let t: String = s
        .split_whitespace()
        .flat_map(|w| [" ", w])
        .skip(1)
        .collect::<String>()
        .chars()
        .take(MAX_TITLE_CHARS)
        .collect();
    (!t.is_empty()).then_some(t)
}

impl<'a> Sink<'a> {
    pub fn new(base: &'a Url, limits: &'a Limits) -> Self {
        Sink {
            base,
            limits,
            entries: Vec::new(),
            out_bytes: 0,
            truncated: None,
            bad_url: Tally::default(),
            bad_scheme: Tally::default(),
            no_url: 0,
            bad_date: Tally::default(),
            entity: Tally::default(),
            notes: Vec::new(),
            dropped_notes: 0,
        }
    }

    pub fn base(&self) -> &'a Url {
        self.base
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True once a cap was reached: the parser stops reading.
    pub fn full(&self) -> bool {
        self.entries.len() >= self.limits.max_entries
            || self.out_bytes >= self.limits.max_uncompressed_bytes
    }

    pub fn note(&mut self, w: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(w);
        } else {
            self.dropped_notes += 1;
        }
    }

    pub fn entity(&mut self, name: &str) {
        self.entity
            .add(|| format!("&{};", name.chars().take(MAX_QUOTE).collect::<String>()));
    }

    /// Parses a date field; a bad one is counted, not fatal.
    pub fn date(&mut self, s: &str) -> Option<DateTime<FixedOffset>> {
        if s.trim().is_empty() {
            return None;
        }
        let d = crate::dates::parse(s);
        if d.is_none() {
            self.bad_date.add(|| quote(s));
        }
        d
    }

    /// Called when one more entry exists beyond the cap.
    fn cap_hit(&mut self) {
        if self.truncated.is_none() {
            self.truncated = Some(if self.entries.len() >= self.limits.max_entries {
                format!(
                    "more than {} entries; kept the first {}",
                    self.limits.max_entries, self.limits.max_entries
                )
            } else {
                format!(
                    "entries exceed {} bytes of text; kept the first {}",
                    self.limits.max_uncompressed_bytes,
                    self.entries.len()
                )
            });
        }
    }

    /// Resolves, normalises and keeps an entry. Returns false when the cap is reached and the
    /// parser should stop.
    pub fn push(&mut self, raw: RawEntry, base: Option<&Url>) -> bool {
        if self.full() {
            self.cap_hit();
            return false;
        }
        let Some(href) = raw.url.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            self.no_url += 1;
            return true;
        };
        let url = match resolve(base.unwrap_or(self.base), href) {
            Ok(u) => u,
            Err(UrlError::Scheme(_)) => {
                self.bad_scheme.add(|| quote(href));
                return true;
            }
            Err(e) => {
                self.bad_url.add(|| format!("{}: {e}", quote(href)));
                return true;
            }
        };
        let url = String::from(url);
        let title = raw.title.as_deref().and_then(clean_title);
        self.out_bytes += url.len() + title.as_ref().map_or(0, String::len);
        self.entries.push(Entry {
            url,
            lastmod: raw.lastmod,
            published: raw.published,
            updated: raw.updated,
            title,
            is_news: raw.is_news,
        });
        true
    }

    pub fn finish(mut self, kind: DocKind) -> Discovered {
        if kind == DocKind::SitemapIndex
            && let Ok(me) = normalize(self.base.as_str())
            && self.entries.iter().any(|e| e.url == me.as_str())
        {
            self.note(format!(
                "sitemap index lists itself ({me}): refuse the loop"
            ));
        }
        let mut warnings = std::mem::take(&mut self.notes);
        if self.dropped_notes > 0 {
            warnings.push(format!("{} more warnings not shown", self.dropped_notes));
        }
        let mut tally = |t: &Tally, what: &str| {
            if let Some(first) = &t.first {
                warnings.push(format!("{} {what} (first: {first})", t.n));
            }
        };
        tally(&self.bad_url, "entries skipped: invalid URL");
        tally(&self.bad_scheme, "entries skipped: URL not http(s)");
        tally(&self.bad_date, "dates unreadable, left empty");
        tally(
            &self.entity,
            "entity references not expanded (DTD entities are never expanded)",
        );
        if self.no_url > 0 {
            warnings.push(format!("{} entries skipped: no URL", self.no_url));
        }
        Discovered {
            kind,
            skipped: self.bad_url.n + self.bad_scheme.n + self.no_url,
            entries: self.entries,
            warnings,
            truncated: self.truncated,
        }
    }
}

/// Absolute URLs are parsed once; relative ones are joined to the base first.
fn resolve(base: &Url, href: &str) -> Result<Url, UrlError> {
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return normalize(href);
    }
    let joined = base.join(href)?;
    normalize(joined.as_str())
}

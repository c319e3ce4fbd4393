//! The article record: what extraction produces from one page and what the store archives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Fields of one news article. Every field is best-effort: extraction fills what the page offers
/// and leaves the rest empty rather than guessing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The headline, without the site name that `<title>` often appends.
    pub title: Option<String>,
    /// Clean person (or organisation) names, deduplicated, in page order.
    pub authors: Vec<String>,
    /// RFC 3339 in UTC; the page's own offset applied.
    pub published_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
    pub section: Option<String>,
    pub site_name: Option<String>,
    /// ISO 639-1 code ("en") when known.
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    pub lead_image_url: Option<String>,
    pub lead_image_caption: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// The story's paragraphs and in-body headings, in order, joined by a blank line.
    pub body: String,
    pub word_count: u32,
}

impl Article {
    /// A stable digest of what a reader sees; a new revision is kept only when it changes.
    pub fn content_hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        for part in [
            self.title.as_deref().unwrap_or(""),
            &self.authors.join("\u{1f}"),
            &self
                .published_at
                .map(|d| d.to_rfc3339())
                .unwrap_or_default(),
            self.section.as_deref().unwrap_or(""),
            self.lead_image_url.as_deref().unwrap_or(""),
            &self.body,
        ] {
            h.update(part.as_bytes());
            h.update(&[0x1e]);
        }
        h.finalize().to_hex().to_string()
    }
}

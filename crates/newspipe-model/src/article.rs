//! The article record: what extraction produces from one page and what the store archives.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// Fields of one news article. Every field is best-effort: extraction fills what the page offers
/// and leaves the rest empty rather than guessing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The headline, without the site name that `<title>` often appends.
    pub title: Option<String>,
    /// Clean person (or organisation) names, deduplicated, in page order.
    pub authors: Vec<String>,
    /// When the story was first published, with the UTC offset the page stated, so the local
    /// day the publisher meant is kept (RFC 3339 as the page wrote it). A value with no zone is
    /// taken as `+00:00`; a date with no time of day is midnight `+00:00` of that day.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// When the story was last changed, in the same form as `published_at`.
    pub modified_at: Option<DateTime<FixedOffset>>,
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
                // The UTC instant: hashes made before the offset was kept stay the same.
                .map(|d| d.with_timezone(&Utc).to_rfc3339())
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

#[cfg(test)]
mod tests {
    use super::Article;
    use chrono::DateTime;

    #[test]
    fn hash_reads_the_instant_not_the_offset() {
        let at = |s: &str| Some(DateTime::parse_from_rfc3339(s).unwrap());
        let local = Article {
            published_at: at("2019-10-16T22:30:00+02:00"),
            body: "text".into(),
            ..Default::default()
        };
        let utc = Article {
            published_at: at("2019-10-16T20:30:00Z"),
            ..local.clone()
        };
        assert_eq!(local.content_hash(), utc.content_hash());
        // The digest of the UTC form, as hashes were made before the offset was kept.
        let mut h = blake3::Hasher::new();
        for part in ["", "", "2019-10-16T20:30:00+00:00", "", "", "text"] {
            h.update(part.as_bytes());
            h.update(&[0x1e]);
        }
        assert_eq!(local.content_hash(), h.finalize().to_hex().to_string());
    }
}

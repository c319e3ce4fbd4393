//! The article record that `export`, `show --json` and `search --json` print: news-please's
//! field names where it has one (`image_url`), the archive's own otherwise.

use chrono::{DateTime, Utc};
use newspipe_store::ArticleRecord;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Record<'a> {
    pub id: i64,
    pub url: &'a str,
    pub canonical_url: &'a str,
    pub site: Option<&'a str>,
    pub title: Option<&'a str>,
    pub authors: &'a [String],
    pub description: Option<&'a str>,
    pub language: Option<&'a str>,
    /// The lead image (news-please calls it `image_url`).
    pub image_url: Option<&'a str>,
    pub image_caption: Option<&'a str>,
    pub section: Option<&'a str>,
    pub tags: &'a [String],
    pub published_at: Option<DateTime<Utc>>,
    pub modified_at: Option<DateTime<Utc>>,
    pub fetched_at: DateTime<Utc>,
    pub word_count: i32,
    pub revision_count: i32,
    pub body: &'a str,
    /// Exported per revision (`export --revisions`): the revision's number (1..n) and hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<&'a str>,
}

impl<'a> From<&'a ArticleRecord> for Record<'a> {
    fn from(a: &'a ArticleRecord) -> Self {
        Self {
            id: a.id,
            url: &a.url,
            canonical_url: &a.canonical_url,
            site: a.site.as_deref(),
            title: a.title.as_deref(),
            authors: &a.authors,
            description: a.description.as_deref(),
            language: a.language.as_deref(),
            image_url: a.lead_image_url.as_deref(),
            image_caption: a.lead_image_caption.as_deref(),
            section: a.section.as_deref(),
            tags: &a.tags,
            published_at: a.published_at,
            modified_at: a.modified_at,
            fetched_at: a.fetched_at,
            word_count: a.word_count,
            revision_count: a.revision_count,
            body: &a.body,
            revision: a.revision,
            content_hash: a.revision.map(|_| a.content_hash.as_str()),
        }
    }
}

/// CSV columns, in [`Record`] order.
pub const CSV_HEADER: &[&str] = &[
    "id",
    "url",
    "canonical_url",
    "site",
    "title",
    "authors",
    "description",
    "language",
    "image_url",
    "image_caption",
    "section",
    "tags",
    "published_at",
    "modified_at",
    "fetched_at",
    "word_count",
    "revision_count",
    "body",
];

/// One CSV line (RFC 4180: quoted when needed, CRLF). Lists are joined with "; ".
pub fn csv_line(a: &ArticleRecord) -> String {
    let date = |d: Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_default();
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    let cells = [
        a.id.to_string(),
        a.url.clone(),
        a.canonical_url.clone(),
        o(&a.site),
        o(&a.title),
        a.authors.join("; "),
        o(&a.description),
        o(&a.language),
        o(&a.lead_image_url),
        o(&a.lead_image_caption),
        o(&a.section),
        a.tags.join("; "),
        date(a.published_at),
        date(a.modified_at),
        a.fetched_at.to_rfc3339(),
        a.word_count.to_string(),
        a.revision_count.to_string(),
        a.body.clone(),
    ];
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

pub fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes command output to stdout; a closed pipe (`| head`) ends the output quietly instead of
/// panicking like `println!`.
pub fn emit(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// True when an error chain ends in a closed output pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = c
            .downcast_ref::<std::io::Error>()
            .map(|io| io.kind())
            .or_else(|| {
                c.downcast_ref::<serde_json::Error>()
                    .and_then(|j| j.io_error_kind())
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

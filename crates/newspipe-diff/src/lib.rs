//! Compares two revisions of an article: which fields changed, a word-level diff of the body,
//! words added and removed, and whether the change is minor (only whitespace or a printed
//! date stamp). Renders the result as plain text, ANSI colours or HTML.
//!
//! Pure: no IO, no global state beyond compiled regexes; every input gives a result, and the
//! time and memory of a diff are bounded (see [`DEADLINE`]). Used by `newspipe history`,
//! `newspipe diff`, the store (the `minor` flag) and the HTTP API's `/articles/{id}/diff`.
//!
//! ```
//! use newspipe_diff::{Revision, diff, is_minor, render_plain};
//!
//! let old = Revision { title: Some("Storm nears"), body: "The storm is near.\n\nUpdated 3:45 pm", ..Revision::default() };
//! let new = Revision { title: Some("Storm hits"), body: "The storm hit.\n\nUpdated 5:10 pm", ..Revision::default() };
//! let d = diff(&old, &new);
//! assert_eq!(
//!     render_plain(&d),
//!     "title: Storm nears → Storm hits\n\nThe storm [-is near-]{+hit+}.\n\nUpdated [-3:45-]{+5:10+} pm"
//! );
//! assert_eq!((d.words_added, d.words_removed, d.minor), (2, 3, false));
//!
//! let stamp_only = Revision { body: "The storm hit.\n\nUpdated 6:00 pm", ..new };
//! assert_eq!(is_minor(&new, &stamp_only), Some(newspipe_diff::MINOR_DATE_STAMP));
//! ```

mod body;
mod fields;
mod render;
mod stamp;
mod tokens;

use serde::Serialize;

pub use body::{DEADLINE, MAX_TOKENS};
pub use render::{render_ansi, render_html, render_plain};

/// The fields of one revision that a reader sees. Dates are whatever text the caller stores
/// (RFC 3339 in newspipe); they are compared as text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Revision<'a> {
    pub title: Option<&'a str>,
    pub authors: &'a [String],
    pub published_at: Option<&'a str>,
    pub modified_at: Option<&'a str>,
    pub section: Option<&'a str>,
    pub lead_image_url: Option<&'a str>,
    pub body: &'a str,
}

/// One field whose value changed. `None` is an absent value (or an empty author list);
/// authors are joined with ", ".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// "title", "authors", "published_at", "modified_at", "section" or "lead_image_url".
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A run of body text with its original whitespace. JSON: `{"op":"insert","text":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum Op {
    Equal(String),
    Insert(String),
    Delete(String),
}

/// How finely the body was compared. `Word` unless a body has more than [`MAX_TOKENS`] words
/// and punctuation marks; then paragraphs (text between blank lines), and past that many
/// paragraphs the body as one piece. Coarser diffs are never flagged as a date-stamp change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Word,
    Paragraph,
    Whole,
}

/// What changed between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionDiff {
    /// Changed fields in a fixed order (title, authors, published_at, modified_at, section,
    /// lead_image_url); fields equal up to whitespace are left out.
    pub fields: Vec<FieldChange>,
    /// The whole new body as runs; `Equal` + `Insert` runs concatenated give it byte for byte.
    pub body: Vec<Op>,
    /// Words (tokens with a letter or digit; each CJK character is one) inserted and deleted.
    pub words_added: usize,
    pub words_removed: usize,
    pub granularity: Granularity,
    pub minor: bool,
    /// [`MINOR_WHITESPACE`], [`MINOR_DATE_STAMP`] or [`MINOR_UNCHANGED`] when `minor`.
    pub minor_reason: Option<&'static str>,
}

/// Only spacing, line breaks or invisible characters changed.
pub const MINOR_WHITESPACE: &str = "whitespace only";
/// Only a printed date or time stamp in the body ("Updated 3:45 pm", "1 hour ago", a dateline)
/// and/or `modified_at` changed (with or without whitespace changes).
pub const MINOR_DATE_STAMP: &str = "date stamp only";
/// The two revisions are identical.
pub const MINOR_UNCHANGED: &str = "unchanged";

/// Compares two revisions.
pub fn diff(old: &Revision, new: &Revision) -> RevisionDiff {
    let body = body::BodyDiff::compute(old.body, new.body);
    let (words_added, words_removed) = body.word_counts();
    let minor_reason = minor_reason(old, new, &body);
    RevisionDiff {
        fields: fields::changes(old, new),
        body: body.ops(),
        words_added,
        words_removed,
        granularity: body.grain,
        minor: minor_reason.is_some(),
        minor_reason,
    }
}

/// `Some(reason)` when the change from `old` to `new` is minor: only whitespace
/// ([`MINOR_WHITESPACE`]), only a printed date/time stamp or `modified_at`
/// ([`MINOR_DATE_STAMP`]), or nothing ([`MINOR_UNCHANGED`]). Any other change, including a date
/// inside a sentence or a new `published_at`, gives `None`.
pub fn is_minor(old: &Revision, new: &Revision) -> Option<&'static str> {
    minor_reason(old, new, &body::BodyDiff::compute(old.body, new.body))
}

/// Words added and removed between two bodies, for `newspipe history`.
pub fn word_stats(old_body: &str, new_body: &str) -> (usize, usize) {
    body::BodyDiff::compute(old_body, new_body).word_counts()
}

fn minor_reason(old: &Revision, new: &Revision, body: &body::BodyDiff) -> Option<&'static str> {
    let mut whitespace = false;
    let mut stamp = false;
    for f in fields::raw_changes(old, new) {
        match f {
            fields::Raw::Whitespace => whitespace = true,
            fields::Raw::Real("modified_at") => stamp = true,
            fields::Raw::Real(_) => return None,
        }
    }
    if body.changes().next().is_none() {
        whitespace |= old.body != new.body;
    } else if body.grain != Granularity::Word {
        return None;
    } else {
        let mut old_stamps = stamp::Stamps::new(body.old, &body.old_tokens);
        let mut new_stamps = stamp::Stamps::new(body.new, &body.new_tokens);
        let all_stamps = body.changes().all(|seg| {
            old_stamps.all_stamped(seg.old.clone()) && new_stamps.all_stamped(seg.new.clone())
        });
        if !all_stamps {
            return None;
        }
        stamp = true;
    }
    Some(if stamp {
        MINOR_DATE_STAMP
    } else if whitespace {
        MINOR_WHITESPACE
    } else {
        MINOR_UNCHANGED
    })
}

//! Field-by-field comparison of two revisions: values are compared with their whitespace
//! collapsed, authors as lists (order counts: a byline is read in order).

use crate::{FieldChange, Revision};

/// How a field differs in its raw text.
pub(crate) enum Raw {
    /// Equal once whitespace is collapsed.
    Whitespace,
    /// A change a reader sees, in the named field.
    Real(&'static str),
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text(v: Option<&str>) -> Option<String> {
    v.map(collapse).filter(|s| !s.is_empty())
}

fn authors(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|a| collapse(a))
        .filter(|a| !a.is_empty())
        .collect()
}

fn text_fields<'a>(r: &Revision<'a>) -> [(&'static str, Option<&'a str>); 5] {
    [
        ("title", r.title),
        ("published_at", r.published_at),
        ("modified_at", r.modified_at),
        ("section", r.section),
        ("lead_image_url", r.lead_image_url),
    ]
}

/// The changed fields, in the order of [`crate::RevisionDiff::fields`].
pub(crate) fn changes(old: &Revision, new: &Revision) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for ((field, a), (_, b)) in text_fields(old).into_iter().zip(text_fields(new)) {
        let (a, b) = (text(a), text(b));
        if a != b {
            out.push(FieldChange {
                field,
                old: a,
                new: b,
            });
        }
        if field == "title" {
            let (a, b) = (authors(old.authors), authors(new.authors));
            if a != b {
                let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join(", "));
                out.push(FieldChange {
                    field: "authors",
                    old: join(a),
                    new: join(b),
                });
            }
        }
    }
    out
}

/// Every field whose raw value differs, and whether the difference is only whitespace.
pub(crate) fn raw_changes(old: &Revision, new: &Revision) -> Vec<Raw> {
    let mut out = Vec::new();
    for ((field, a), (_, b)) in text_fields(old).into_iter().zip(text_fields(new)) {
        if a != b {
            out.push(if text(a) == text(b) {
                Raw::Whitespace
            } else {
                Raw::Real(field)
            });
        }
    }
    if old.authors != new.authors {
        out.push(if authors(old.authors) == authors(new.authors) {
            Raw::Whitespace
        } else {
            Raw::Real("authors")
        });
    }
    out
}

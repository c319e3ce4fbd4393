//! The body diff of two revisions, as the API serves it: `newspipe-diff`'s word-level diff
//! (the same one `newspipe diff` prints), behind [`Differ`] so handlers do not depend on it.

use serde::Serialize;

/// One run of the diff; `text` keeps the words' original spacing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum Chunk {
    Equal(String),
    Insert(String),
    Delete(String),
}

/// A word diff engine.
pub trait Differ: Send + Sync {
    fn diff(&self, old: &str, new: &str) -> Vec<Chunk>;
}

/// `newspipe-diff` (bounded in time and memory; see that crate).
#[derive(Debug, Default, Clone, Copy)]
pub struct WordDiff;

impl Differ for WordDiff {
    fn diff(&self, old: &str, new: &str) -> Vec<Chunk> {
        word_diff(old, new)
    }
}

pub fn word_diff(old: &str, new: &str) -> Vec<Chunk> {
    use newspipe_diff::{Op, Revision};
    let d = newspipe_diff::diff(
        &Revision {
            body: old,
            ..Revision::default()
        },
        &Revision {
            body: new,
            ..Revision::default()
        },
    );
    d.body
        .into_iter()
        .map(|op| match op {
            Op::Equal(t) => Chunk::Equal(t),
            Op::Insert(t) => Chunk::Insert(t),
            Op::Delete(t) => Chunk::Delete(t),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_changed_words() {
        let d = word_diff("the cat sat on the mat", "the dog sat on the mat today");
        let inserted: String = d
            .iter()
            .filter_map(|c| match c {
                Chunk::Insert(t) => Some(t.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("|");
        let deleted: String = d
            .iter()
            .filter_map(|c| match c {
                Chunk::Delete(t) => Some(t.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("|");
        assert_eq!(deleted.trim(), "cat");
        assert_eq!(
            inserted.split('|').map(str::trim).collect::<Vec<_>>(),
            ["dog", "today"]
        );
        assert!(
            word_diff("a b", "a b")
                .iter()
                .all(|c| matches!(c, Chunk::Equal(_)))
        );
    }
}

//! Word-level diff of two revision bodies, behind [`Differ`] so the API can switch to the
//! `newspipe-diff` crate (the same diff as `newspipe diff`) once it is merged.
//!
//! TO BE REPLACED by `newspipe-diff`: this is a plain LCS over words with common prefix and
//! suffix trimmed, falling back to "all deleted, all inserted" above a size bound.

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

/// The built-in engine (see the module note).
#[derive(Debug, Default, Clone, Copy)]
pub struct WordDiff;

/// Above this many cells (old words × new words after trimming) the LCS table is not built.
const MAX_CELLS: usize = 4_000_000;

impl Differ for WordDiff {
    fn diff(&self, old: &str, new: &str) -> Vec<Chunk> {
        word_diff(old, new)
    }
}

/// Words with the whitespace that follows each.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            in_space = true;
        } else if in_space {
            out.push(&s[start..i]);
            start = i;
            in_space = false;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

pub fn word_diff(old: &str, new: &str) -> Vec<Chunk> {
    let a = tokens(old);
    let b = tokens(new);
    let same = |x: &str, y: &str| x.trim_end() == y.trim_end();
    let mut pre = 0;
    while pre < a.len() && pre < b.len() && same(a[pre], b[pre]) {
        pre += 1;
    }
    let mut suf = 0;
    while suf < a.len() - pre
        && suf < b.len() - pre
        && same(a[a.len() - 1 - suf], b[b.len() - 1 - suf])
    {
        suf += 1;
    }
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops: Vec<(u8, &str)> = Vec::new();
    ops.extend(a[..pre].iter().map(|t| (0, *t)));
    if am.len().saturating_mul(bm.len()) > MAX_CELLS {
        ops.extend(am.iter().map(|t| (1, *t)));
        ops.extend(bm.iter().map(|t| (2, *t)));
    } else {
        // lcs[i][j] = LCS length of am[i..] and bm[j..].
        let (n, m) = (am.len(), bm.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if same(am[i], bm[j]) {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && same(am[i], bm[j]) {
                ops.push((0, bm[j]));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                ops.push((1, am[i]));
                i += 1;
            } else {
                ops.push((2, bm[j]));
                j += 1;
            }
        }
    }
    ops.extend(b[b.len() - suf..].iter().map(|t| (0, *t)));
    let mut out: Vec<Chunk> = Vec::new();
    for (kind, t) in ops {
        match (out.last_mut(), kind) {
            (Some(Chunk::Equal(s)), 0)
            | (Some(Chunk::Delete(s)), 1)
            | (Some(Chunk::Insert(s)), 2) => s.push_str(t),
            _ => out.push(match kind {
                0 => Chunk::Equal(t.into()),
                1 => Chunk::Delete(t.into()),
                _ => Chunk::Insert(t.into()),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_changed_words() {
        let d = word_diff("the cat sat on the mat", "the dog sat on the mat today");
        assert_eq!(
            d,
            vec![
                Chunk::Equal("the ".into()),
                Chunk::Delete("cat ".into()),
                Chunk::Insert("dog ".into()),
                Chunk::Equal("sat on the mat ".into()),
                Chunk::Insert("today".into()),
            ]
        );
        assert_eq!(word_diff("", ""), vec![]);
        assert_eq!(word_diff("", "a"), vec![Chunk::Insert("a".into())]);
        assert_eq!(word_diff("a b", "a b"), vec![Chunk::Equal("a b".into())]);
    }
}

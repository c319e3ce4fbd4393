//! The word-level body diff: tokens of both bodies are interned to integers and aligned with
//! `similar`'s Myers diff, then turned into runs of equal, deleted and inserted text.
//!
//! Bounds: similar's Myers runs in O(N + M) memory and, past a size-dependent cost, takes a
//! good non-minimal split instead of searching on (Git's heuristic), so a 100k-word body with
//! scattered edits stays in tens of milliseconds. [`DEADLINE`] is the last safeguard for
//! adversarial inputs: past it, what is left unaligned is reported as one deletion plus one
//! insertion, which is still a correct (if coarse) diff.
//!
//! Whitespace is never compared: two bodies that differ only in spacing or line breaks align
//! completely, and equal runs carry the new body's whitespace, so the paragraphs a reader sees
//! today are the ones rendered.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag};

use crate::Op;
use crate::tokens::{Token, is_word, key, tokenize};

/// Wall-clock cap on aligning one pair of bodies (see the module doc).
pub const DEADLINE: Duration = Duration::from_secs(2);

/// A stretch of the alignment: tokens `old` of the old body and `new` of the new body, either
/// equal one for one or replaced as a whole (one side may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub equal: bool,
    pub old: Range<usize>,
    pub new: Range<usize>,
}

pub(crate) struct BodyDiff<'a> {
    pub old: &'a str,
    pub new: &'a str,
    pub old_tokens: Vec<Token>,
    pub new_tokens: Vec<Token>,
    pub segments: Vec<Segment>,
}

impl<'a> BodyDiff<'a> {
    pub fn compute(old: &'a str, new: &'a str) -> Self {
        let old_tokens = tokenize(old);
        let new_tokens = tokenize(new);
        let mut ids: HashMap<Cow<'a, str>, u32> = HashMap::new();
        let mut intern = |s: &'a str, tokens: &[Token]| -> Vec<u32> {
            tokens
                .iter()
                .map(|t| {
                    let next = ids.len() as u32;
                    *ids.entry(key(t.text(s))).or_insert(next)
                })
                .collect()
        };
        let old_ids = intern(old, &old_tokens);
        let new_ids = intern(new, &new_tokens);
        drop(ids);

        let ops = similar::capture_diff_deadline(
            Algorithm::Myers,
            &old_ids,
            0..old_ids.len(),
            &new_ids,
            0..new_ids.len(),
            Some(Instant::now() + DEADLINE),
        );
        let mut segments: Vec<Segment> = Vec::new();
        for op in ops {
            let (tag, o, n) = op.as_tag_tuple();
            let equal = tag == DiffTag::Equal;
            match segments.last_mut() {
                Some(last) if !last.equal && !equal => {
                    last.old.end = o.end.max(last.old.end);
                    last.new.end = n.end.max(last.new.end);
                }
                _ => segments.push(Segment {
                    equal,
                    old: o,
                    new: n,
                }),
            }
        }
        segments.retain(|s| !(s.old.is_empty() && s.new.is_empty()));
        BodyDiff {
            old,
            new,
            old_tokens,
            new_tokens,
            segments,
        }
    }

    pub fn changes(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(|s| !s.equal)
    }

    /// Word tokens (not punctuation) inserted and deleted.
    pub fn word_counts(&self) -> (usize, usize) {
        let count = |s: &str, tokens: &[Token], r: &Range<usize>| {
            tokens[r.clone()]
                .iter()
                .filter(|t| is_word(t.text(s)))
                .count()
        };
        self.changes().fold((0, 0), |(a, r), seg| {
            (
                a + count(self.new, &self.new_tokens, &seg.new),
                r + count(self.old, &self.old_tokens, &seg.old),
            )
        })
    }

    /// Runs of text. Concatenating the `Equal` and `Insert` runs gives the new body byte for
    /// byte; `Delete` runs hold the old tokens (with the old spacing between them).
    pub fn ops(&self) -> Vec<Op> {
        let mut out = Ops::default();
        let (old, new) = (self.old, self.new);
        for seg in &self.segments {
            if seg.equal {
                for t in &self.new_tokens[seg.new.clone()] {
                    out.equal(&new[t.lead..t.end]);
                }
                continue;
            }
            let ins = &self.new_tokens[seg.new.clone()];
            let del = &self.old_tokens[seg.old.clone()];
            match (del.first(), del.last(), ins.first(), ins.last()) {
                (Some(d0), Some(dn), Some(i0), Some(i_n)) => {
                    out.equal(&new[i0.lead..i0.start]);
                    out.delete(&old[d0.start..dn.end]);
                    out.insert(&new[i0.start..i_n.end]);
                }
                (None, None, Some(i0), Some(i_n)) => {
                    out.equal(&new[i0.lead..i0.start]);
                    out.insert(&new[i0.start..i_n.end]);
                }
                (Some(d0), Some(dn), None, None) => {
                    // Nothing replaces the deleted words, so the space that separated them from
                    // their neighbours must travel with them or the neighbours would touch when
                    // rendered: the space before them, or after them at the very start.
                    if seg.old.start > 0 {
                        out.delete(&old[d0.lead..dn.end]);
                    } else {
                        let after = self.old_tokens.get(seg.old.end).map_or(dn.end, |t| t.start);
                        out.delete(&old[d0.start..after]);
                    }
                }
                _ => {}
            }
        }
        let tail = self.new_tokens.last().map_or(0, |t| t.end);
        out.equal(&new[tail..]);
        out.0
    }
}

#[derive(Default)]
struct Ops(Vec<Op>);

impl Ops {
    fn push(&mut self, text: &str, make: fn(String) -> Op) {
        if text.is_empty() {
            return;
        }
        match (self.0.last_mut(), make(String::new())) {
            (Some(Op::Equal(s)), Op::Equal(_))
            | (Some(Op::Insert(s)), Op::Insert(_))
            | (Some(Op::Delete(s)), Op::Delete(_)) => s.push_str(text),
            _ => self.0.push(make(text.to_owned())),
        }
    }
    fn equal(&mut self, text: &str) {
        self.push(text, Op::Equal);
    }
    fn insert(&mut self, text: &str) {
        self.push(text, Op::Insert);
    }
    fn delete(&mut self, text: &str) {
        self.push(text, Op::Delete);
    }
}

//! The word-level body diff: tokens of both bodies are interned to integers and aligned with
//! `similar`'s Myers diff, then turned into runs of equal, deleted and inserted text.
//!
//! Bounds: similar's Myers runs in O(N + M) memory and, past a size-dependent cost, takes a
//! good non-minimal split instead of searching on (Git's heuristic), so a 100k-word body with
//! scattered edits stays in tens of milliseconds. [`DEADLINE`] is the last safeguard for
//! adversarial inputs: past it, what is left unaligned is reported as one deletion plus one
//! insertion, which is still a correct (if coarse) diff. Memory is bounded by [`MAX_TOKENS`]:
//! a body with more tokens is compared paragraph by paragraph, and one with more paragraphs
//! than that as a whole.
//!
//! Whitespace is never compared: two bodies that differ only in spacing or line breaks align
//! completely, and equal runs carry the new body's whitespace, so the paragraphs a reader sees
//! today are the ones rendered.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag};

use crate::tokens::{Token, count_words, is_word, key_as, tokenize_as};
use crate::{Granularity, Op};

/// Wall-clock cap on aligning one pair of bodies (see the module doc).
pub const DEADLINE: Duration = Duration::from_secs(2);

/// Most tokens a body may have at one grain before the diff moves to the next coarser one
/// (words → paragraphs → the whole body). A 100k-word English body is about 120k tokens and
/// its diff needs about 7 MB; near the cap (430k words a body) about 30 MB (tokens, their ids,
/// Myers' vectors), measured with `examples/timing.rs`.
pub const MAX_TOKENS: usize = 500_000;

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
    pub grain: Granularity,
    pub old_tokens: Vec<Token>,
    pub new_tokens: Vec<Token>,
    pub segments: Vec<Segment>,
}

/// Both bodies' tokens at the finest grain where neither passes [`MAX_TOKENS`].
fn tokenize_both(old: &str, new: &str) -> (Granularity, Vec<Token>, Vec<Token>) {
    for grain in [Granularity::Word, Granularity::Paragraph] {
        if let Some(o) = tokenize_as(old, grain, MAX_TOKENS)
            && let Some(n) = tokenize_as(new, grain, MAX_TOKENS)
        {
            return (grain, o, n);
        }
    }
    let whole = |s| tokenize_as(s, Granularity::Whole, 1).unwrap_or_default();
    (Granularity::Whole, whole(old), whole(new))
}

impl<'a> BodyDiff<'a> {
    pub fn compute(old: &'a str, new: &'a str) -> Self {
        let (grain, old_tokens, new_tokens) = tokenize_both(old, new);
        let mut ids: HashMap<Cow<'a, str>, u32> = HashMap::new();
        let mut intern = |s: &'a str, tokens: &[Token]| -> Vec<u32> {
            tokens
                .iter()
                .map(|t| {
                    let next = ids.len() as u32;
                    *ids.entry(key_as(t.text(s), grain)).or_insert(next)
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
        let segments = absorb_short_equalities(segments, &old_tokens, &new_tokens);
        BodyDiff {
            old,
            new,
            grain,
            old_tokens,
            new_tokens,
            segments,
        }
    }

    pub fn changes(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(|s| !s.equal)
    }

    /// Words (not punctuation) inserted and deleted.
    pub fn word_counts(&self) -> (usize, usize) {
        let count = |s: &str, tokens: &[Token], r: &Range<usize>| -> usize {
            let tokens = &tokens[r.clone()];
            match self.grain {
                Granularity::Word => tokens.iter().filter(|t| is_word(t.text(s))).count(),
                _ => tokens.iter().map(|t| count_words(t.text(s))).sum(),
            }
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

/// Characters of text in `tokens[r]`, whitespace not counted.
fn chars(tokens: &[Token], r: &Range<usize>) -> usize {
    tokens[r.clone()].iter().map(|t| t.end - t.start).sum()
}

/// Folds an equal stretch into the changes around it when it is no longer than the change on
/// either side (diff-match-patch's semantic cleanup). Two rewritten sentences that share a
/// "the" then read as one deletion and one insertion, not as confetti; a real edit inside
/// unchanged prose is never touched, as the prose around it is longer than the edit.
fn absorb_short_equalities(segments: Vec<Segment>, old: &[Token], new: &[Token]) -> Vec<Segment> {
    let size = |s: &Segment| chars(old, &s.old).max(chars(new, &s.new));
    let mut out: Vec<Segment> = Vec::with_capacity(segments.len());
    for seg in segments {
        out.push(seg);
        // Merging can make the change before the previous equality larger, so keep checking.
        while let [.., before, eq, after] = out.as_slice() {
            if before.equal || !eq.equal || after.equal {
                break;
            }
            let eq_len = chars(new, &eq.new);
            if eq_len > size(before) || eq_len > size(after) {
                break;
            }
            let after = out.pop().expect("three segments");
            out.pop();
            let before = out.last_mut().expect("three segments");
            before.old.end = after.old.end;
            before.new.end = after.new.end;
        }
    }
    out
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

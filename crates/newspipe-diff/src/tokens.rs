//! Splits a body into the tokens the diff compares: words, numbers, single punctuation marks and
//! single CJK characters, each remembering the whitespace before it.
//!
//! Words follow Unicode word boundaries (UAX #29), so accents and combining marks stay in their
//! word, "don't", "3.45" and "1,000" are one token, and Arabic or Hebrew words are split like any
//! other. Han, Hiragana and Katakana are written without spaces, so each of their characters is a
//! token of its own: a one-character edit in Chinese is a one-token edit.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;

use crate::Granularity;

/// One token of a text: `text[lead..start]` is the whitespace before it, `text[start..end]` the
/// token itself (never empty, never whitespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub lead: usize,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        &s[self.start..self.end]
    }

    /// No whitespace between this token and the one before it.
    pub fn glued(&self) -> bool {
        self.lead == self.start
    }
}

/// Whitespace for the diff: Unicode White_Space plus the invisible characters (soft hyphen,
/// zero-width space, word joiner, BOM) that CMSs insert and remove without changing what a reader sees.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || is_invisible(c)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // Hiragana, Katakana
        | 0x31F0..=0x31FF   // Katakana phonetic extensions
        | 0x3400..=0x4DBF   // CJK Extension A
        | 0x4E00..=0x9FFF   // CJK Unified Ideographs
        | 0xF900..=0xFAFF   // CJK Compatibility Ideographs
        | 0xFF66..=0xFF9D   // half-width Katakana
        | 0x20000..=0x3FFFF // CJK Extensions B and later
    )
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// What the diff compares: the token without soft hyphens and zero-width spaces, which a
/// reader never sees but which UAX #29 keeps inside the word they are attached to.
pub(crate) fn key(token: &str) -> Cow<'_, str> {
    if token.chars().any(is_invisible) {
        token
            .chars()
            .filter(|&c| !is_invisible(c))
            .collect::<String>()
            .into()
    } else {
        token.into()
    }
}

/// A token counts as a word (for words added / removed) when it holds a letter or a digit;
/// punctuation and emoji do not.
pub(crate) fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// Words in a text, counted as [`is_word`] counts tokens, without building the tokens.
pub(crate) fn count_words(s: &str) -> usize {
    s.split_word_bounds()
        .map(|seg| {
            if seg.chars().any(is_cjk) {
                seg.chars().filter(|c| c.is_alphanumeric()).count()
            } else {
                usize::from(is_word(seg))
            }
        })
        .sum()
}

/// The tokens of `s` at the given grain, or `None` past `cap` tokens.
pub(crate) fn tokenize_as(s: &str, grain: Granularity, cap: usize) -> Option<Vec<Token>> {
    match grain {
        Granularity::Word => words(s, cap),
        Granularity::Paragraph => paragraphs(s, cap),
        Granularity::Whole => {
            let start = s.len() - s.trim_start_matches(is_space).len();
            let end = s.trim_end_matches(is_space).len();
            Some(if start < end {
                vec![Token {
                    lead: 0,
                    start,
                    end,
                }]
            } else {
                Vec::new()
            })
        }
    }
}

/// What the diff compares at a grain: see [`key`]; paragraphs and whole bodies also have their
/// inner whitespace collapsed, so a reflowed paragraph is still equal.
pub(crate) fn key_as(token: &str, grain: Granularity) -> Cow<'_, str> {
    match grain {
        Granularity::Word => key(token),
        Granularity::Paragraph | Granularity::Whole => token
            .split(is_space)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .into(),
    }
}

#[cfg(test)]
pub(crate) fn tokenize(s: &str) -> Vec<Token> {
    words(s, usize::MAX).unwrap_or_default()
}

fn words(s: &str, cap: usize) -> Option<Vec<Token>> {
    let mut out = Vec::with_capacity((s.len() / 5).min(cap));
    let mut lead = 0;
    for (at, seg) in s.split_word_bound_indices() {
        if seg.chars().all(is_space) {
            continue;
        }
        if seg.chars().any(is_cjk) {
            for (i, c) in seg.char_indices() {
                let start = at + i;
                out.push(Token {
                    lead,
                    start,
                    end: start + c.len_utf8(),
                });
                lead = start + c.len_utf8();
            }
        } else {
            out.push(Token {
                lead,
                start: at,
                end: at + seg.len(),
            });
            lead = at + seg.len();
            join_clock_time(s, &mut out);
        }
        if out.len() > cap {
            return None;
        }
    }
    Some(out)
}

/// UAX #29 joins "3.45" and "1,000" but splits "3:45" at the colon; a clock time is one
/// word to a reader, so `digit ":" digit` written without spaces becomes one token.
fn join_clock_time(s: &str, out: &mut Vec<Token>) {
    if let [.., a, colon, b] = out.as_slice()
        && colon.glued()
        && b.glued()
        && colon.text(s) == ":"
        && a.text(s).ends_with(|c: char| c.is_ascii_digit())
        && b.text(s).starts_with(|c: char| c.is_ascii_digit())
    {
        let end = b.end;
        out.truncate(out.len() - 2);
        if let Some(a) = out.last_mut() {
            a.end = end;
        }
    }
}

/// One token per paragraph (text between blank lines), without its edge whitespace.
fn paragraphs(s: &str, cap: usize) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut lead = 0;
    let mut start: Option<usize> = None; // first byte of the paragraph being read
    let mut end = 0; // end of its last non-space character
    let mut newlines = 0; // in the whitespace run since then
    for (i, c) in s.char_indices() {
        if is_space(c) {
            newlines += usize::from(c == '\n');
            continue;
        }
        match start {
            Some(st) if newlines >= 2 => {
                out.push(Token {
                    lead,
                    start: st,
                    end,
                });
                if out.len() > cap {
                    return None;
                }
                lead = end;
                start = Some(i);
            }
            None => start = Some(i),
            Some(_) => {}
        }
        newlines = 0;
        end = i + c.len_utf8();
    }
    if let Some(st) = start {
        out.push(Token {
            lead,
            start: st,
            end,
        });
    }
    (out.len() <= cap).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn words_punctuation_and_whitespace() {
        assert_eq!(
            texts("  \"Don't,\" she said.\n\nIt cost $1,000.50 at 3:45:10 pm: "),
            [
                "\"", "Don't", ",", "\"", "she", "said", ".", "It", "cost", "$", "1,000.50", "at",
                "3:45:10", "pm", ":"
            ]
        );
        let s = "a  b";
        let t = tokenize(s);
        assert_eq!(&s[t[1].lead..t[1].start], "  ");
        assert!(!t[1].glued());
    }

    #[test]
    fn accents_rtl_and_cjk() {
        assert_eq!(
            texts("café naïve e\u{301}te"),
            ["café", "naïve", "e\u{301}te"]
        );
        assert_eq!(texts("שלום עולם"), ["שלום", "עולם"]);
        assert_eq!(texts("مرحبا بالعالم"), ["مرحبا", "بالعالم"]);
        assert_eq!(
            texts("東京都に住む。"),
            ["東", "京", "都", "に", "住", "む", "。"]
        );
        assert_eq!(texts("カタカナ"), ["カ", "タ", "カ", "ナ"]);
    }

    #[test]
    fn invisible_spaces_are_whitespace() {
        let s = "a\u{200B}b\u{FEFF} c\u{A0}d ne\u{AD}ws";
        let keys: Vec<_> = tokenize(s).iter().map(|t| key(t.text(s))).collect();
        assert_eq!(keys, ["a", "b", "c", "d", "news"]);
        assert!(tokenize(" \n\t ").is_empty());
        assert!(tokenize("").is_empty());
    }

    #[test]
    fn coarser_grains() {
        let s = " \n First  para.\n\n  Second\npara. \n";
        let texts = |g| -> Vec<&str> {
            tokenize_as(s, g, 10)
                .unwrap()
                .iter()
                .map(|t| t.text(s))
                .collect()
        };
        assert_eq!(
            texts(Granularity::Paragraph),
            ["First  para.", "Second\npara."]
        );
        assert_eq!(
            texts(Granularity::Whole),
            ["First  para.\n\n  Second\npara."]
        );
        assert_eq!(
            key_as("First \n para.", Granularity::Paragraph),
            "First para."
        );
        assert!(tokenize_as(s, Granularity::Paragraph, 1).is_none());
        assert!(tokenize_as(s, Granularity::Word, 3).is_none());
        assert!(tokenize_as("  ", Granularity::Whole, 1).unwrap().is_empty());
    }

    #[test]
    fn word_counts_agree() {
        for s in [
            "“Don't go,” she said — 3 times.",
            "我喜欢猫。ok",
            "a\u{ad}b 東京2026 !!",
        ] {
            let n = tokenize(s).iter().filter(|t| is_word(t.text(s))).count();
            assert_eq!(count_words(s), n, "{s}");
        }
    }
}

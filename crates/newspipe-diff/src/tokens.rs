//! Splits a body into the tokens the diff compares: words, numbers, single punctuation marks and
//! single CJK characters, each remembering the whitespace before it.
//!
//! Words follow Unicode word boundaries (UAX #29), so accents and combining marks stay in their
//! word, "don't", "3.45" and "1,000" are one token, and Arabic or Hebrew words are split like any
//! other. Han, Hiragana and Katakana are written without spaces, so each of their characters is a
//! token of its own: a one-character edit in Chinese is a one-token edit.

use unicode_segmentation::UnicodeSegmentation;

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
pub(crate) fn key(token: &str) -> std::borrow::Cow<'_, str> {
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

pub(crate) fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(s.len() / 5);
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
        }
    }
    out
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
            texts("  \"Don't,\" she said.\n\nIt cost $1,000.50 "),
            [
                "\"", "Don't", ",", "\"", "she", "said", ".", "It", "cost", "$", "1,000.50"
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
}

//! Search documents and queries, tokenised here instead of by Postgres's `to_tsvector`.
//!
//! `to_tsvector('simple', …)` cost Postgres ~0.4 ms of CPU for a 600-word article, more than
//! half of what a stored page cost it (BENCHMARKS.md); the same words split in Rust cost the
//! store worker a few microseconds and Postgres only copies in a binary `tsvector`. Documents and
//! queries go through the same [`words`], so they agree by construction, not by imitating
//! Postgres's parser (which splits `covid-19` into `covid` and `-19`, and hosts, e-mails and
//! paths its own way).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Body characters indexed (as the v1 column did: `left(body, 500000)`).
pub(crate) const MAX_BODY_CHARS: usize = 500_000;
/// Postgres's largest `tsvector` position; later words all sit there.
const MAX_POSITION: u16 = 16_383;
/// Positions Postgres keeps for one lexeme.
const MAX_POSITIONS: usize = 256;
/// Postgres refuses longer lexemes ("word is too long").
const MAX_LEXEME_BYTES: usize = 2_047;

/// The words of `text`, lowercased: maximal runs of letters and digits of any script, so
/// punctuation, hyphens and apostrophes separate words (`don't` → `don`, `t`) and a run of CJK
/// characters is one word, as Postgres's default parser has it. Words too long for a lexeme are
/// left out.
pub(crate) fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= MAX_LEXEME_BYTES)
        .map(|w| {
            if w.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
                Cow::Owned(w.to_lowercase())
            } else {
                Cow::Borrowed(w)
            }
        })
}

/// Weight bits of a `tsvector` position (`WordEntryPos`: weight in the top two bits).
const WEIGHT_A: u16 = 3 << 14;
const WEIGHT_B: u16 = 2 << 14;

/// The article's search document: title words weighted A, then body words weighted B, positions
/// running on from the title's (as `setweight(title, 'A') || setweight(body, 'B')` numbers them).
/// Lexemes come sorted bytewise, each with its positions ascending.
fn lexemes<'a>(title: Option<&'a str>, body: &'a str) -> Vec<(Cow<'a, str>, Vec<u16>)> {
    // A body of at most MAX_BODY_CHARS bytes has at most as many characters.
    let body = if body.len() > MAX_BODY_CHARS {
        body.char_indices()
            .nth(MAX_BODY_CHARS)
            .map_or(body, |(cut, _)| &body[..cut])
    } else {
        body
    };
    // Every occurrence, sorted by word then position, then grouped: no map, and no allocation
    // for a word that is already lowercase.
    let mut seen: Vec<(Cow<'a, str>, u16)> = Vec::new();
    let mut position: u16 = 0;
    for (text, weight) in [(title.unwrap_or(""), WEIGHT_A), (body, WEIGHT_B)] {
        for word in words(text) {
            position = (position + 1).min(MAX_POSITION);
            seen.push((word, weight | position));
        }
    }
    seen.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then((a.1 & MAX_POSITION).cmp(&(b.1 & MAX_POSITION)))
    });
    let mut out: Vec<(Cow<'a, str>, Vec<u16>)> = Vec::new();
    for (word, p) in seen {
        match out.last_mut() {
            Some((last, at)) if *last == word => {
                // Past the last position every word lands on it once; and Postgres keeps 256.
                if at.len() < MAX_POSITIONS
                    && at
                        .last()
                        .is_none_or(|&q| q & MAX_POSITION < p & MAX_POSITION)
                {
                    at.push(p);
                }
            }
            _ => out.push((word, vec![p])),
        }
    }
    out
}

/// An article's search document in `tsvector`'s binary wire form, so Postgres only copies it in
/// (parsing the same document as text cost it ~0.15 ms).
pub(crate) struct Document(Vec<u8>);

/// The search document of an article with this title and body.
pub(crate) fn document(title: Option<&str>, body: &str) -> Document {
    let lexemes = lexemes(title, body);
    // tsvectorrecv: entry count, then per lexeme its bytes NUL-terminated, a position count
    // and the positions, integers big-endian; lexemes in bytewise order, positions ascending.
    let mut out = Vec::with_capacity(4 + lexemes.len() * 16);
    out.extend_from_slice(&(lexemes.len() as i32).to_be_bytes());
    for (lexeme, positions) in &lexemes {
        out.extend_from_slice(lexeme.as_bytes());
        out.push(0);
        out.extend_from_slice(&(positions.len() as u16).to_be_bytes());
        for p in positions {
            out.extend_from_slice(&p.to_be_bytes());
        }
    }
    Document(out)
}

impl sqlx::Type<sqlx::Postgres> for Document {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        // Built-in OIDs (pg_type.dat): no lookup per connection.
        sqlx::postgres::PgTypeInfo::with_oid(sqlx::postgres::types::Oid(3614))
    }
}

impl sqlx::postgres::PgHasArrayType for Document {
    fn array_type_info() -> sqlx::postgres::PgTypeInfo {
        sqlx::postgres::PgTypeInfo::with_oid(sqlx::postgres::types::Oid(3643))
    }
}

impl sqlx::Encode<'_, sqlx::Postgres> for Document {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        buf.extend_from_slice(&self.0);
        Ok(sqlx::encode::IsNull::No)
    }
}

/// A `tsquery` literal for a web-search-style query, read the way `websearch_to_tsquery` reads
/// one: words are all required, `"quoted words"` must stand in that order, `or` between two
/// terms accepts either, and `-` before a term excludes it. A word the tokenizer splits
/// (`covid-19`) must match as a phrase. Returns an empty string when nothing is searchable,
/// which Postgres reads as a query that matches nothing.
pub(crate) fn query(text: &str) -> String {
    enum Item<'a> {
        Term {
            negated: bool,
            words: Vec<Cow<'a, str>>,
        },
        Or,
    }
    let mut items = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else {
            break;
        };
        let negated = first == '-' && rest[1..].starts_with(|c: char| !c.is_whitespace());
        if negated {
            rest = &rest[1..];
        }
        let (chunk, quoted);
        if let Some(inner) = rest.strip_prefix('"') {
            let end = inner.find('"').unwrap_or(inner.len());
            (chunk, quoted) = (&inner[..end], true);
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(rest.len());
            (chunk, quoted) = (&rest[..end], false);
            rest = &rest[end..];
        }
        if !quoted && !negated && chunk.eq_ignore_ascii_case("or") {
            items.push(Item::Or);
            continue;
        }
        let words: Vec<Cow<'_, str>> = words(chunk).collect();
        if !words.is_empty() {
            items.push(Item::Term { negated, words });
        }
    }
    let mut out = String::new();
    let mut or_pending = false;
    for item in items {
        match item {
            Item::Or => or_pending = !out.is_empty(),
            Item::Term { negated, words } => {
                if !out.is_empty() {
                    out.push_str(if or_pending { " | " } else { " & " });
                }
                or_pending = false;
                if negated {
                    out.push('!');
                }
                let phrase: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
                if phrase.len() == 1 {
                    out.push_str(&phrase[0]);
                } else {
                    let _ = write!(out, "({})", phrase.join(" <-> "));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_anything_but_letters_and_digits_and_are_lowercased() {
        let got: Vec<Cow<'_, str>> =
            words("Covid-19: Don't STOP, Zürich! 東京都 x_y 3.14").collect();
        assert_eq!(
            got,
            [
                "covid",
                "19",
                "don",
                "t",
                "stop",
                "zürich",
                "東京都",
                "x",
                "y",
                "3",
                "14"
            ]
        );
    }

    /// The document as `tsvector` text would print it, to read in assertions.
    fn literal(title: Option<&str>, body: &str) -> String {
        let weight = |p: u16| if p & WEIGHT_A == WEIGHT_A { "A" } else { "B" };
        lexemes(title, body)
            .iter()
            .map(|(l, ps)| {
                let ps: Vec<String> = ps
                    .iter()
                    .map(|&p| format!("{}{}", p & MAX_POSITION, weight(p)))
                    .collect();
                format!("'{l}':{}", ps.join(","))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn document_weights_title_a_and_body_b_with_positions_running_on() {
        assert_eq!(
            literal(Some("Storm hits"), "The storm hit the coast."),
            "'coast':7B 'hit':5B 'hits':2A 'storm':1A,4B 'the':3B,6B"
        );
        assert_eq!(literal(None, ""), "");
        // The wire form: count, then "hit\0", one position, B | 1.
        assert_eq!(
            document(None, "hit").0,
            [0, 0, 0, 1, b'h', b'i', b't', 0, 0, 1, 0x80, 1]
        );
    }

    #[test]
    fn document_keeps_postgres_limits() {
        let long = "w ".repeat(20_000);
        assert_eq!(lexemes(None, &long)[0].1.len(), MAX_POSITIONS);
        let many: String = (0..17_000).map(|i| format!("x{i} ")).collect();
        let doc = literal(None, &many);
        assert!(doc.contains("'x16382':16383B"), "last distinct position");
        assert!(doc.contains("'x16999':16383B"), "later words share it");
        assert!(!doc.contains(":16384"));
        let huge = "a".repeat(MAX_LEXEME_BYTES + 1);
        assert_eq!(literal(None, &format!("{huge} ok")), "'ok':1B");
    }

    #[test]
    fn query_reads_websearch_syntax() {
        assert_eq!(query("Storm coast"), "'storm' & 'coast'");
        assert_eq!(
            query("\"coalition of the willing\""),
            "('coalition' <-> 'of' <-> 'the' <-> 'willing')"
        );
        assert_eq!(query("storm or flood -rain"), "'storm' | 'flood' & !'rain'");
        assert_eq!(query("covid-19"), "('covid' <-> '19')");
        assert_eq!(query("-\"red sea\" ships"), "!('red' <-> 'sea') & 'ships'");
        assert_eq!(query("or storm or"), "'storm'");
        assert_eq!(query("  \"unclosed quote"), "('unclosed' <-> 'quote')");
        assert_eq!(query("!!! ... -"), "");
    }
}

//! Finds printed date and time stamps in a body ("Updated 3:45 p.m. ET", "1 hour ago",
//! "Dec. 1, 2026" on a line of its own), so that a revision whose only edits fall inside them
//! can be flagged minor.
//!
//! The text is cut into chunks (tokens not separated by whitespace), each chunk is given one
//! class letter (`M` month, `n` day number, `T` clock time, …), and a regular expression over
//! that letter string finds date expressions. A date in a running sentence ("the vote moved
//! from Dec. 1 to Dec. 8.") is news, not a stamp: an expression counts as a stamp only when it
//! carries a stamp word ("Updated", "Published"…), is relative ("… ago", "just now"), or stands
//! on a short line that is not a sentence (a dateline or byline).

use std::ops::Range;
use std::sync::LazyLock;

use regex_lite::Regex;

use crate::tokens::{Token, is_word};

/// A line with more other words than this is prose, and a date in it is not a stamp.
const DATELINE_MAX_OTHER_WORDS: usize = 6;

static EXPR: LazyLock<Regex> = LazyLock::new(|| {
    let cal = "(?:Mnc?Y|Mn|nMc?Y|nM|Mc?Y|D)";
    let clk = "(?:TP?|nP|H)Z?";
    let dt = format!("(?:(?:Wc?)?{cal}(?:c?a?{clk})?|{clk}(?:c?o?(?:Wc?)?{cal})?|Wc?a?{clk})");
    let rel = "(?:[nNr]?ug|kg|jw)";
    let re = format!("(?:L?Sc?[ao]?)?(?:{dt}|{rel})");
    Regex::new(&re).expect("the stamp grammar is a valid regex")
});

static TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,2}:\d{2}(:\d{2})?(am|pm|z)?$").expect("valid regex"));
static HOUR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,2}(am|pm)$").expect("valid regex"));
static NUMDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{4}-\d{2}-\d{2}t[\d:.]+(z|[+-]\d{2}:?\d{2})?)$",
    )
    .expect("valid regex")
});
static COMPACT_REL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,3}(s|m|h|d|w|mo|y|min|mins|hr|hrs)$").expect("valid regex")
});

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "today",
    "yesterday",
];
const STAMP_WORDS: &[&str] = &[
    "updated",
    "update",
    "published",
    "posted",
    "modified",
    "edited",
    "revised",
];
const UNITS: &[&str] = &[
    "second", "seconds", "sec", "secs", "minute", "minutes", "min", "mins", "hour", "hours", "hr",
    "hrs", "day", "days", "week", "weeks", "wk", "wks", "month", "months", "year", "years", "yr",
    "yrs", "moments",
];
const COUNT_WORDS: &[&str] = &[
    "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "few", "several",
];
/// Zones written in capitals only: "ET" is a stamp, "et" is French for "and".
const ZONES_UPPER: &[&str] = &[
    "ET", "EST", "EDT", "CT", "CST", "CDT", "MT", "MST", "MDT", "PT", "PST", "PDT", "BST", "CET",
    "CEST", "EET", "EEST", "IST", "JST", "KST", "AEST", "AEDT", "WIB", "HKT", "SGT",
];
const SEPARATORS: &str = "|-–—·•,/:";

fn classify(raw: &str) -> u8 {
    let trimmed = raw.trim_matches(|c: char| "()[],;:|\"'“”‘’".contains(c));
    if trimmed.is_empty() {
        return if raw.chars().all(|c| SEPARATORS.contains(c)) {
            b'c'
        } else {
            b'x'
        };
    }
    if raw.chars().all(|c| SEPARATORS.contains(c)) {
        return b'c';
    }
    let upper = trimmed.trim_end_matches('.');
    if ZONES_UPPER.contains(&upper) {
        return b'Z';
    }
    let w = upper.to_lowercase();
    let w = w.as_str();
    if w == "utc" || w == "gmt" {
        return b'Z';
    }
    // "May" the month, not "may" the verb.
    if w == "may" && !trimmed.starts_with('M') {
        return b'x';
    }
    let undotted: String = w.chars().filter(|&c| c != '.').collect();
    if MONTHS.contains(&w) {
        b'M'
    } else if WEEKDAYS.contains(&w) {
        b'W'
    } else if undotted == "am" || undotted == "pm" {
        b'P'
    } else if STAMP_WORDS.contains(&w) {
        b'S'
    } else if matches!(w, "last" | "first" | "originally") {
        b'L'
    } else if w == "at" {
        b'a'
    } else if w == "on" {
        b'o'
    } else if w == "ago" {
        b'g'
    } else if w == "just" {
        b'j'
    } else if w == "now" {
        b'w'
    } else if UNITS.contains(&w) {
        b'u'
    } else if COUNT_WORDS.contains(&w) {
        b'r'
    } else if let Some(n) = day_number(w) {
        if n <= 31 && w.len() <= 4 {
            b'n'
        } else if (1900..=2100).contains(&n) && w.len() == 4 {
            b'Y'
        } else {
            b'N'
        }
    } else if TIME.is_match(&undotted) {
        b'T'
    } else if HOUR.is_match(&undotted) {
        b'H'
    } else if NUMDATE.is_match(w) {
        b'D'
    } else if COMPACT_REL.is_match(w) {
        b'k'
    } else {
        b'x'
    }
}

/// "12", "1st", "22nd", "3rd", "4th" → the number.
fn day_number(w: &str) -> Option<u32> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if digits.is_empty() || digits.len() > 4 || !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Answers "are these tokens all inside stamps?" looking only at the lines that hold them, so
/// a few edits in a long body cost a few lines of work. Changes are asked about in order, so
/// the last line's answer is kept for the next question.
pub(crate) struct Stamps<'a> {
    text: &'a str,
    tokens: &'a [Token],
    line: Option<(usize, usize, Vec<bool>)>,
}

impl<'a> Stamps<'a> {
    pub fn new(text: &'a str, tokens: &'a [Token]) -> Self {
        Stamps {
            text,
            tokens,
            line: None,
        }
    }

    fn starts_line(&self, i: usize) -> bool {
        let t = &self.tokens[i];
        i == 0 || self.text[t.lead..t.start].contains('\n')
    }

    pub fn all_stamped(&mut self, range: Range<usize>) -> bool {
        let mut i = range.start;
        while i < range.end {
            let cached = matches!(&self.line, Some((a, b, _)) if (*a..*b).contains(&i));
            if !cached {
                let mut a = i;
                while !self.starts_line(a) {
                    a -= 1;
                }
                let mut b = i + 1;
                while b < self.tokens.len() && !self.starts_line(b) {
                    b += 1;
                }
                self.line = Some((a, b, stamp_mask(self.text, &self.tokens[a..b])));
            }
            let Some((a, b, mask)) = &self.line else {
                return false;
            };
            if !mask[i - a..range.end.min(*b) - a].iter().all(|&m| m) {
                return false;
            }
            i = *b;
        }
        true
    }
}

/// For each token of `text`: does it lie inside a printed date or time stamp?
pub(crate) fn stamp_mask(text: &str, tokens: &[Token]) -> Vec<bool> {
    // Chunks: token ranges not separated by whitespace, with the line they are on.
    let mut chunks: Vec<(usize, usize, usize)> = Vec::new(); // (first token, end token, line)
    let mut line = 0;
    for (i, t) in tokens.iter().enumerate() {
        let newlines = text[t.lead..t.start].matches('\n').count();
        line += newlines;
        match chunks.last_mut() {
            Some(c) if t.glued() && i > 0 => c.1 = i + 1,
            _ => chunks.push((i, i + 1, line)),
        }
    }
    let chunk_text = |c: &(usize, usize, usize)| &text[tokens[c.0].start..tokens[c.1 - 1].end];

    // One class letter per chunk, '#' between lines so no expression spans two.
    let mut letters = String::with_capacity(chunks.len() + 16);
    let mut at: Vec<Option<usize>> = Vec::with_capacity(chunks.len() + 16);
    for (k, c) in chunks.iter().enumerate() {
        if k > 0 && chunks[k - 1].2 != c.2 {
            letters.push('#');
            at.push(None);
        }
        letters.push(classify(chunk_text(c)) as char);
        at.push(Some(k));
    }

    let mut in_expr = vec![false; chunks.len()];
    let mut found: Vec<(usize, usize, bool)> = Vec::new(); // (first chunk, end chunk, stamp by itself)
    for m in EXPR.find_iter(&letters) {
        let (first, last) = (at[m.start()], at[m.end() - 1]);
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let s = m.as_str();
        let explicit = s.contains('S') || s.contains('g') || s.contains("jw");
        for flag in &mut in_expr[first..=last] {
            *flag = true;
        }
        found.push((first, last + 1, explicit));
    }

    let mut mask = vec![false; tokens.len()];
    let mut dateline: Option<(usize, bool)> = None; // the last line judged, and its verdict
    for (first, end, explicit) in found {
        let line = chunks[first].2;
        let is_stamp = explicit || {
            if dateline.is_none_or(|(l, _)| l != line) {
                dateline = Some((line, is_dateline(text, tokens, &chunks, &in_expr, line)));
            }
            dateline.is_some_and(|(_, verdict)| verdict)
        };
        if is_stamp {
            for c in &chunks[first..end] {
                for m in &mut mask[c.0..c.1] {
                    *m = true;
                }
            }
        }
    }
    mask
}

/// A short line that is not a sentence: a dateline or a byline with a date.
fn is_dateline(
    text: &str,
    tokens: &[Token],
    chunks: &[(usize, usize, usize)],
    in_expr: &[bool],
    line: usize,
) -> bool {
    // Chunks are in line order: the line is one contiguous stretch of them.
    let from = chunks.partition_point(|c| c.2 < line);
    let to = chunks.partition_point(|c| c.2 <= line);
    let on_line: Vec<usize> = (from..to).collect();
    let other_words = on_line
        .iter()
        .filter(|&&k| {
            !in_expr[k] && is_word(&text[tokens[chunks[k].0].start..tokens[chunks[k].1 - 1].end])
        })
        .count();
    let Some(&last) = on_line.last() else {
        return false;
    };
    let last_token = tokens[chunks[last].1 - 1].text(text);
    let ends_sentence = matches!(last_token, "." | "!" | "?" | "。" | "！" | "？") && {
        // "Dec." and "p.m." end in a full stop without ending a sentence.
        let class = classify(&text[tokens[chunks[last].0].start..tokens[chunks[last].1 - 1].end]);
        !matches!(class, b'M' | b'P')
    };
    other_words <= DATELINE_MAX_OTHER_WORDS && !ends_sentence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    fn stamped(text: &str) -> String {
        let tokens = tokenize(text);
        let mask = stamp_mask(text, &tokens);
        tokens
            .iter()
            .zip(mask)
            .filter(|(_, m)| *m)
            .map(|(t, _)| t.text(text))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn classes() {
        let got: String = [
            "Dec.",
            "1,",
            "2026",
            "3:45",
            "p.m.",
            "ET",
            "Updated",
            "ago",
            "hours",
            "45",
            "2h",
            "2026-12-01",
            "12/01/2026",
            "3pm",
            "Tuesday,",
            "|",
            "may",
            "May",
            "et",
            "house",
        ]
        .iter()
        .map(|w| classify(w) as char)
        .collect();
        assert_eq!(got, "MnYTPZSguNkDDHWcxMxx");
    }

    #[test]
    fn stamps_found() {
        assert_eq!(stamped("Storm hits. Updated 3:45 pm"), "Updated 3:45 pm");
        assert_eq!(stamped("Posted 1 hour ago"), "Posted 1 hour ago");
        assert_eq!(
            stamped("Posted 45 minutes ago by staff"),
            "Posted 45 minutes ago"
        );
        assert_eq!(stamped("By Jane Doe\n\nDec. 1, 2026"), "Dec . 1 , 2026");
        assert_eq!(
            stamped("By Jane Doe | Tuesday, December 1, 2026 at 3:45 p.m. ET"),
            "Tuesday , December 1 , 2026 at 3:45 p.m . ET"
        );
        assert_eq!(
            stamped("Last updated: 2026-12-01T10:00:00Z"),
            "Last updated : 2026 - 12 - 01T10:00:00Z"
        );
        assert_eq!(stamped("just now"), "just now");
        assert_eq!(stamped("(an hour ago)"), "( an hour ago )");
    }

    #[test]
    fn dates_in_prose_are_not_stamps() {
        assert_eq!(stamped("The vote moved from Dec. 1 to Dec. 8."), "");
        assert_eq!(
            stamped(
                "Officials said on Tuesday that the bridge, closed since March 2024, would reopen in May 2027 after repairs"
            ),
            ""
        );
        assert_eq!(stamped("Storm killed 12 on Dec. 1."), "");
        assert_eq!(stamped("It may rain at 3 or 4"), "");
    }
}

//! Date parsing: every machine-readable form news pages use, with the offset the page stated
//! kept (the publisher's local day is what readers and the benches mean). A zone-less value is
//! taken as `+00:00` because the server's zone says nothing about the page; a bare day is
//! midnight `+00:00`. Printed dates ("10.11.2021", "3. März 2020", "2020年3月5日") are read by
//! [`scan`], with day/month order chosen by the page language.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

/// A date as the page meant it.
pub type Date = DateTime<FixedOffset>;

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("0 is a valid offset"))
}

/// Midnight `+00:00` of a calendar day: the form of a date printed without a time.
pub fn day(d: NaiveDate) -> Option<Date> {
    sane(
        utc()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .single()?,
    )
}

const WITH_ZONE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M%z",
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M:%S %z",
    // JavaScript's `Date.toString()`: "Tue Nov 19 2019 03:05:46 GMT+0000".
    "%a %b %d %Y %H:%M:%S GMT%z",
    // US-style display dates in meta tags, after the zone name became an offset.
    "%B %d, %Y, %I:%M %p%z",
    "%B %d, %Y %I:%M %p%z",
    "%b %d, %Y, %I:%M %p%z",
    "%b %d, %Y %I:%M %p%z",
    "%B %d, %Y, %H:%M%z",
    "%B %d, %Y %H:%M%z",
];

const NAIVE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%dT%H%M%S",
    "%B %d, %Y, %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y, %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y, %H:%M",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M",
    "%d %B %Y %H:%M",
];

const DATE_ONLY: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
];

/// Parses a date as found in metadata; `None` when it is not a date we can trust.
pub fn parse(raw: &str) -> Option<Date> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return sane(d);
    }
    // "Z" suffix and zone names are not understood by `%z`; rewrite the common ones, also
    // when glued to the time ("16:02:50CDT").
    let mut owned = s.to_string();
    if let Some(cut) = glued_zone(&owned) {
        owned.insert(cut, ' ');
    }
    for (zone, off) in [
        (" UTC", "+0000"),
        (" GMT", "+0000"),
        ("Z", "+0000"),
        (" EST", "-0500"),
        (" EDT", "-0400"),
        (" CST", "-0600"),
        (" CDT", "-0500"),
        (" MST", "-0700"),
        (" MDT", "-0600"),
        (" PST", "-0800"),
        (" PDT", "-0700"),
        (" BST", "+0100"),
        (" CET", "+0100"),
        (" CEST", "+0200"),
        (" IST", "+0530"),
    ] {
        if let Some(stripped) = owned.strip_suffix(zone)
            && (zone != "Z" || stripped.ends_with(|c: char| c.is_ascii_digit()))
        {
            owned = format!("{}{}", stripped.trim_end(), off);
            break;
        }
    }
    let s2 = owned.as_str();
    for f in WITH_ZONE {
        if let Ok(d) = DateTime::<FixedOffset>::parse_from_str(s2, f) {
            return sane(d);
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return sane(d);
    }
    for f in NAIVE {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return sane(utc().from_utc_datetime(&d));
        }
    }
    for f in DATE_ONLY {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return day(d);
        }
    }
    // Unix seconds or milliseconds, as some CMSs emit.
    if s.len() >= 9 && s.len() <= 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        let secs = if s.len() == 13 { n / 1000 } else { n };
        return sane(DateTime::from_timestamp(secs, 0)?.fixed_offset());
    }
    None
}

/// A UTC instant shown in the whole-hour offset (smallest first, within -12..+14 h) that puts it
/// on `local_day`, when that day is the one before or after its UTC day; otherwise unchanged.
/// The instant never changes, only the offset it is written in.
pub fn on_local_day(d: Date, local_day: NaiveDate) -> Date {
    let diff = (local_day - d.date_naive()).num_days();
    if diff == 0 || diff.abs() > 1 {
        return d;
    }
    let hours: Vec<i32> = if diff < 0 {
        (1..=12).map(|h| -h).collect()
    } else {
        (1..=14).collect()
    };
    for h in hours {
        if let Some(off) = FixedOffset::east_opt(h * 3600) {
            let shifted = d.with_timezone(&off);
            if shifted.date_naive() == local_day {
                return shifted;
            }
        }
    }
    d
}

/// Byte index where a zone name glued to a time starts ("T16:02:50CDT" → before "CDT").
fn glued_zone(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let n = b.len();
    let letters = b
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    (matches!(letters, 3 | 4) && n > letters && b[n - letters - 1].is_ascii_digit())
        .then(|| n - letters)
}

/// Parses a date as printed on the page ("Posted: Monday, Nov. 18, 2019 | 9:02 AM",
/// "First Published on Nov 20, 2019 01:38 pm IST"): the label before the first month name or
/// number and what follows a bar or bullet are dropped. Text that mentions an update is not a
/// publication date.
pub fn parse_text(raw: &str) -> Option<Date> {
    if raw.len() > 100 || raw.to_ascii_lowercase().contains("updated") {
        return None;
    }
    let mut s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    for sep in [" | ", " • ", " · ", " - "] {
        if let Some(i) = s.find(sep) {
            s.truncate(i);
        }
    }
    let start = s.split(' ').scan(0usize, |pos, w| {
        let at = *pos;
        *pos += w.len() + 1;
        Some((at, w))
    });
    let mut from = None;
    for (at, w) in start {
        let lw = w.to_ascii_lowercase();
        let month = lw.len() >= 3
            && [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ]
            .iter()
            .any(|m| lw.starts_with(m))
            && lw
                .trim_end_matches(['.', ','])
                .chars()
                .all(|c| c.is_ascii_alphabetic());
        if month || w.starts_with(|c: char| c.is_ascii_digit()) {
            from = Some(at);
            break;
        }
    }
    let s = &s[from?..];
    // "Nov. 18" → "Nov 18"; "Sept" is not a `%b`.
    let s = s.replacen(". ", " ", 1).replacen("Sept ", "Sep ", 1);
    parse(s.trim_end_matches(['.', ',']))
}

/// Which of day and month comes first in an all-numeric date with slashes or dashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// `08/12/2017` is 12 August (United States).
    MonthFirst,
    /// `08/12/2017` is 8 December (most of the world).
    DayFirst,
}

impl Order {
    /// US order for English unless the host is in a day-first English-speaking country.
    pub fn for_page(lang: Option<&str>, host: Option<&str>) -> Self {
        let en = lang.is_none_or(|l| l.eq_ignore_ascii_case("en"));
        let day_first_host = host.is_some_and(|h| {
            [
                ".uk", ".au", ".nz", ".ie", ".in", ".za", ".sg", ".pk", ".ng", ".ke",
            ]
            .iter()
            .any(|t| h.ends_with(t))
        });
        if en && !day_first_host {
            Self::MonthFirst
        } else {
            Self::DayFirst
        }
    }
}

/// Month names (lowercase stems) in en, de, fr, es, it, pt, nl, ru, uk, pl, sv, da, no, fi, cs,
/// tr. A word matches when it starts with a stem; the longer stem wins, so "červenec" (July) is
/// not "červen" (June). Stems are long enough not to be common words ("mar" is only read when
/// the whole word is "mar" or "mar.").
const MONTHS: &[(&str, u32)] = &[
    // English, and the abbreviations many languages share.
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("may", 5),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("jän", 1),
    ("februar", 2),
    ("märz", 3),
    ("mär", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("okt", 10),
    ("dezember", 12),
    ("dez", 12),
    // French
    ("janvier", 1),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("juil", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("déc", 12),
    // Spanish
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("ene", 1),
    ("dic", 12),
    // Italian
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    ("gen", 1),
    ("giu", 6),
    ("lug", 7),
    ("ago", 8),
    ("set", 9),
    ("ott", 10),
    // Portuguese
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("marco", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("fev", 2),
    ("out", 10),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    // Russian (nominative and genitive stems)
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
    // Ukrainian
    ("січ", 1),
    ("лют", 2),
    ("берез", 3),
    ("квіт", 4),
    ("травн", 5),
    ("трав", 5),
    ("черв", 6),
    ("лип", 7),
    ("серп", 8),
    ("верес", 9),
    ("жовт", 10),
    ("листопад", 11),
    ("груд", 12),
    // Polish
    ("styczeń", 1),
    ("stycznia", 1),
    ("luty", 2),
    ("lutego", 2),
    ("marzec", 3),
    ("marca", 3),
    ("kwiecień", 4),
    ("kwietnia", 4),
    ("maj", 5),
    ("maja", 5),
    ("czerwiec", 6),
    ("czerwca", 6),
    ("lipiec", 7),
    ("lipca", 7),
    ("sierpień", 8),
    ("sierpnia", 8),
    ("wrzesień", 9),
    ("września", 9),
    ("październik", 10),
    ("października", 10),
    ("listopada", 11),
    ("grudzień", 12),
    ("grudnia", 12),
    // Swedish, Danish, Norwegian
    ("januari", 1),
    ("mars", 3),
    ("maj", 5),
    ("juni", 6),
    ("juli", 7),
    ("augusti", 8),
    ("oktober", 10),
    ("desember", 12),
    ("marts", 3),
    ("januar", 1),
    ("februar", 2),
    // Finnish
    ("tammikuu", 1),
    ("helmikuu", 2),
    ("maaliskuu", 3),
    ("huhtikuu", 4),
    ("toukokuu", 5),
    ("kesäkuu", 6),
    ("heinäkuu", 7),
    ("elokuu", 8),
    ("syyskuu", 9),
    ("lokakuu", 10),
    ("marraskuu", 11),
    ("joulukuu", 12),
    // Czech
    ("leden", 1),
    ("ledna", 1),
    ("únor", 2),
    ("února", 2),
    ("březen", 3),
    ("března", 3),
    ("duben", 4),
    ("dubna", 4),
    ("květen", 5),
    ("května", 5),
    ("červen", 6),
    ("června", 6),
    ("červenec", 7),
    ("července", 7),
    ("srpen", 8),
    ("srpna", 8),
    ("září", 9),
    ("říjen", 10),
    ("října", 10),
    ("listopad", 11),
    ("listopadu", 11),
    ("prosinec", 12),
    ("prosince", 12),
    // Turkish
    ("ocak", 1),
    ("şubat", 2),
    ("nisan", 4),
    ("mayıs", 5),
    ("haziran", 6),
    ("temmuz", 7),
    ("ağustos", 8),
    ("eylül", 9),
    ("ekim", 10),
    ("kasım", 11),
    ("aralık", 12),
];

/// The month a word names, if any.
fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    let n = w.chars().count();
    if n < 3 && w != "ma" {
        return None;
    }
    let mut best: Option<(usize, u32)> = None;
    for &(stem, m) in MONTHS {
        let sl = stem.chars().count();
        // Short stems must be the whole word ("mar", "set", "out" are words too); the long
        // ones cover inflections ("marca", "октября", "tammikuuta").
        let ok = if sl <= 4 {
            w == stem
                || (sl == 4
                    && w.starts_with(stem)
                    && n <= sl + 3
                    && stem.chars().all(|c| !c.is_ascii()))
        } else {
            w.starts_with(stem) && n <= sl + 4
        };
        // "ма" (Russian May) only as its genitive "мая".
        let ok = ok || (stem == "ма" && (w == "мая" || w == "май"));
        if ok && stem != "ma" && best.is_none_or(|(l, _)| sl > l) {
            best = Some((sl, m));
        }
    }
    best.map(|(_, m)| m)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Num(u32, usize),
    Word(&'a str),
    Sep(char),
}

/// Splits text into numbers (with their digit count), words and single separators.
fn tokens(s: &str, max: usize) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if out.len() >= max {
            break;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while let Some(&(k, d)) = it.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                j = k + 1;
                it.next();
            }
            let digits = &s[i..j];
            let v = if digits.len() <= 8 {
                digits.parse().unwrap_or(0)
            } else {
                0
            };
            out.push(Tok::Num(v, digits.len()));
        } else if c.is_alphabetic() && !is_cjk_unit(c) {
            let mut j = i;
            while let Some(&(k, d)) = it.peek() {
                if !d.is_alphabetic() || is_cjk_unit(d) {
                    break;
                }
                j = k + d.len_utf8();
                it.next();
            }
            out.push(Tok::Word(&s[i..j]));
        } else {
            it.next();
            if !c.is_whitespace() {
                out.push(Tok::Sep(c));
            } else if !matches!(out.last(), Some(Tok::Sep(' '))) {
                out.push(Tok::Sep(' '));
            }
        }
    }
    out
}

fn is_cjk_unit(c: char) -> bool {
    matches!(c, '年' | '月' | '日' | '년' | '월' | '일')
}

fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    let y = i32::try_from(y).ok()?;
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    (1995..=2100).contains(&y).then_some(date)
}

fn year(v: u32, digits: usize) -> Option<u32> {
    match digits {
        4 => Some(v),
        2 => Some(2000 + v),
        _ => None,
    }
}

/// The first printed calendar date in `text`: ISO `2021-11-10`, `2021/11/10`, dotted
/// `10.11.2021` (always day first), `08/08/2017` or `08-08-2017` in `order` (unless the first
/// number exceeds 12), CJK `2021年11月10日` / `2021년 11월 10일`, and month names in the languages
/// of [`MONTHS`] (`10. November 2021`, `November 10, 2021`, `10 de noviembre de 2021`).
pub fn scan(text: &str, order: Order) -> Option<NaiveDate> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = tokens(text, 4000);
    let num = |i: usize| match t.get(i) {
        Some(Tok::Num(v, d)) => Some((*v, *d)),
        _ => None,
    };
    let sep = |i: usize| match t.get(i) {
        Some(Tok::Sep(c)) => Some(*c),
        _ => None,
    };
    // Skips one optional space token.
    let sp = |i: usize| if sep(i) == Some(' ') { i + 1 } else { i };
    for i in 0..t.len() {
        // A number glued to the previous one through a letter or digit run is not a date start.
        if let Some((a, ad)) = num(i) {
            // ISO and CJK: year first.
            if ad == 4 {
                let s1 = sep(i + 1);
                if matches!(s1, Some('-' | '/' | '.'))
                    && let (Some((m, md)), Some((d, dd))) = (num(i + 2), num(i + 4))
                    && sep(i + 3) == s1
                    && md <= 2
                    && dd <= 2
                    && let Some(x) = ymd(a, m, d)
                {
                    return Some(x);
                }
                // 2021年11月10日, 2021년 11월 10일
                let j = sp(i + 1);
                if let Some(Tok::Sep('年' | '년')) = t.get(j) {
                    let j = sp(j + 1);
                    if let (Some((m, _)), Some(Tok::Sep('月' | '월'))) = (num(j), t.get(j + 1)) {
                        let k = sp(j + 2);
                        if let (Some((d, _)), Some(Tok::Sep('日' | '일'))) = (num(k), t.get(k + 1))
                            && let Some(x) = ymd(a, m, d)
                        {
                            return Some(x);
                        }
                    }
                }
            }
            if ad <= 2 {
                // 10.11.2021, 10. 11. 2021, 10/11/2021, 10-11-2021
                let j = i + 1;
                let s1 = sep(j);
                if let Some(c @ ('.' | '/' | '-')) = s1 {
                    let k = sp(j + 1);
                    if let Some((b, bd)) = num(k)
                        && bd <= 2
                        && sep(k + 1) == Some(c)
                    {
                        let l = sp(k + 2);
                        if let Some((y, yd)) = num(l)
                            && let Some(y) = year(y, yd)
                            // "1.2.3.4" version numbers and "10-11-2021-…" ids are no dates.
                            && !matches!(t.get(l + 1), Some(Tok::Sep('.')) if num(l + 2).is_some())
                        {
                            let (d, m) = if c == '.' || order == Order::DayFirst || a > 12 {
                                (a, b)
                            } else {
                                (b, a)
                            };
                            if (yd == 4 || c == '.')
                                && let Some(x) = ymd(y, m, d)
                            {
                                return Some(x);
                            }
                        }
                    }
                }
                // 10. November 2021, 10 de noviembre de 2021, 10 листопада 2021
                let mut j = i + 1;
                if sep(j) == Some('.') {
                    j += 1;
                }
                j = sp(j);
                if let Some(Tok::Word(w)) = t.get(j)
                    && (*w == "de" || *w == "del")
                {
                    j = sp(j + 1);
                }
                if let Some(Tok::Word(w)) = t.get(j)
                    && let Some(m) = month_of(w)
                {
                    let mut k = j + 1;
                    if sep(k) == Some('.') || sep(k) == Some(',') {
                        k += 1;
                    }
                    k = sp(k);
                    if let Some(Tok::Word(w)) = t.get(k)
                        && (*w == "de" || *w == "del")
                    {
                        k = sp(k + 1);
                    }
                    if let Some((y, 4)) = num(k)
                        && let Some(x) = ymd(y, m, a)
                    {
                        return Some(x);
                    }
                }
            }
        }
        // November 10, 2021; Nov. 10 2021
        if let Some(Tok::Word(w)) = t.get(i)
            && let Some(m) = month_of(w)
        {
            let mut j = i + 1;
            if sep(j) == Some('.') {
                j += 1;
            }
            j = sp(j);
            if let Some((d, dd)) = num(j)
                && dd <= 2
            {
                let mut k = j + 1;
                // "10th", "1st"
                if let Some(Tok::Word(s)) = t.get(k)
                    && matches!(*s, "st" | "nd" | "rd" | "th")
                {
                    k += 1;
                }
                if sep(k) == Some(',') || sep(k) == Some('.') {
                    k += 1;
                }
                k = sp(k);
                if let Some((y, 4)) = num(k)
                    && let Some(x) = ymd(y, m, d)
                {
                    return Some(x);
                }
            }
        }
    }
    None
}

/// The ISO day (`2020-04-17`, `2020/04/17`) written most often anywhere in the raw page,
/// scripts and comments included; ties go to the first written. The last resort when the page
/// shows no date: pages repeat their own date in state blobs and tracking calls.
pub fn most_frequent_iso(html: &str) -> Option<NaiveDate> {
    let b = html.as_bytes();
    let mut seen: Vec<(NaiveDate, usize)> = Vec::new();
    let mut i = 0;
    while i + 10 <= b.len() {
        let Some(off) = memchr::memchr2(b'-', b'/', &b[i + 4..]) else {
            break;
        };
        let at = i + 4 + off - 4;
        i = at + 5;
        if at + 10 > b.len() || (at > 0 && b[at - 1].is_ascii_digit()) {
            continue;
        }
        let w = &b[at..at + 10];
        let sep = w[4];
        let digit = |r: std::ops::Range<usize>| w[r].iter().all(u8::is_ascii_digit);
        if !(digit(0..4) && w[7] == sep && digit(5..7) && digit(8..10))
            || b.get(at + 10).is_some_and(u8::is_ascii_digit)
        {
            continue;
        }
        let n = |r: std::ops::Range<usize>| {
            w[r].iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        };
        if let Some(d) = ymd(n(0..4), n(5..7), n(8..10)) {
            if let Some(slot) = seen.iter_mut().find(|(x, _)| *x == d) {
                slot.1 += 1;
            } else if seen.len() < 256 {
                seen.push((d, 1));
            }
        }
    }
    let max = seen.iter().map(|(_, c)| *c).max()?;
    seen.into_iter().find(|(_, c)| *c == max).map(|(d, _)| d)
}

/// A date in the URL path: `/2016/12/15/`, `/2016-12-15-slug`, `/20161215/`; `/2016/12/` alone
/// is not a day.
pub fn from_url(path: &str) -> Option<NaiveDate> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for w in segs.windows(3) {
        if let (Some(y), Some(m)) = (digits(w[0], 4), digits(w[1], 2).or_else(|| digits(w[1], 1))) {
            let d = w[2]
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .filter(|d| {
                    (1..=2).contains(&d.len())
                        && (w[2].len() == d.len() || w[2][d.len()..].starts_with(['-', '_', '.']))
                })
                .and_then(|d| d.parse().ok());
            if let Some(d) = d
                && let Some(x) = ymd(y, m, d)
            {
                return Some(x);
            }
        }
    }
    for s in &segs {
        let b = s.as_bytes();
        // 2016-12-15 at the start of a segment, or a segment that is exactly 20161215.
        if b.len() >= 10
            && b[4] == b'-'
            && b[7] == b'-'
            && (b.len() == 10 || !b[10].is_ascii_digit())
            && let (Some(y), Some(m), Some(d)) = (
                digits(&s[..4], 4),
                digits(&s[5..7], 2),
                digits(&s[8..10], 2),
            )
            && let Some(x) = ymd(y, m, d)
        {
            return Some(x);
        }
        if let Some(x) = compact_day(s).or_else(|| day_first_segment(s)) {
            return Some(x);
        }
        // A slug ending in the day: "bridge-closed-20200113", "story_20200113.html".
        let stem = s.rsplit_once('.').map_or(*s, |(stem, _)| stem);
        let sb = stem.as_bytes();
        if sb.len() > 9
            && matches!(sb[sb.len() - 9], b'-' | b'_')
            && let Some(x) = stem.get(stem.len() - 8..).and_then(compact_day)
        {
            return Some(x);
        }
    }
    None
}

/// A segment that is exactly a day written day first, `29-10-2021` (or with `.` or `_`, and
/// an extension): month first only where the day cannot be a month (`10-29-2021`).
fn day_first_segment(s: &str) -> Option<NaiveDate> {
    let stem = s
        .rsplit_once('.')
        .filter(|(_, ext)| ext.len() <= 5 && ext.bytes().all(|b| b.is_ascii_alphabetic()))
        .map_or(s, |(stem, _)| stem);
    let b = stem.as_bytes();
    if b.len() != 10 || b[2] != b[5] || !matches!(b[2], b'-' | b'.' | b'_') {
        return None;
    }
    let (a, m, y) = (
        digits(&stem[..2], 2)?,
        digits(&stem[3..5], 2)?,
        digits(&stem[6..], 4)?,
    );
    ymd(y, m, a).or_else(|| ymd(y, a, m))
}

/// A day written as exactly eight digits, `20161215`.
fn compact_day(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.is_ascii() {
        return None;
    }
    ymd(
        digits(&s[..4], 4)?,
        digits(&s[4..6], 2)?,
        digits(&s[6..8], 2)?,
    )
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// "3 hours ago", "vor 2 Tagen", "yesterday", "gestern" against the fetch time: the day they
/// name in the fetch time's offset. Only a phrase that is (nearly) the whole text counts.
pub fn relative(text: &str, now: Date) -> Option<Date> {
    let l = text.trim().to_lowercase();
    if l.len() > 60 {
        return None;
    }
    let today = now.date_naive();
    let words: Vec<&str> = l
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    let back = |days: i64| {
        today
            .checked_sub_signed(chrono::TimeDelta::days(days))
            .and_then(|d| {
                now.offset()
                    .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                    .single()
            })
    };
    if has("today") || has("heute") || has("aujourd") || has("hoy") || has("oggi") || has("hoje") {
        return back(0);
    }
    if has("yesterday")
        || has("gestern")
        || has("hier")
        || has("ayer")
        || has("ieri")
        || has("ontem")
    {
        return back(1);
    }
    let n: i64 = words.iter().find_map(|w| w.parse().ok())?;
    if !(has("ago") || has("vor") || has("il") || has("hace") || has("fa") || has("há")) {
        return None;
    }
    let unit = words.iter().find_map(|w| {
        let w = *w;
        if w.starts_with("min")
            || w.starts_with("sec")
            || w.starts_with("sek")
            || w.starts_with("seg")
        {
            Some(0i64)
        } else if w.starts_with("hour")
            || w.starts_with("stunde")
            || w.starts_with("heure")
            || w.starts_with("hora")
            || w.starts_with("or") && w.len() <= 3
            || w.starts_with("hr")
        {
            Some(-1)
        } else if w.starts_with("day")
            || w.starts_with("tag")
            || w.starts_with("jour")
            || w.starts_with("día")
            || w.starts_with("dia")
            || w.starts_with("giorn")
        {
            Some(1)
        } else if w.starts_with("week")
            || w.starts_with("woche")
            || w.starts_with("semaine")
            || w.starts_with("semana")
            || w.starts_with("settiman")
        {
            Some(7)
        } else {
            None
        }
    })?;
    if n > 400 {
        return None;
    }
    match unit {
        0 => Some(now),
        -1 => {
            let d = now.checked_sub_signed(chrono::TimeDelta::hours(n))?;
            back((today - d.date_naive()).num_days())
        }
        k => back(n * k),
    }
}

/// News is not from before the web nor from the far future; such values are template junk.
fn sane(d: Date) -> Option<Date> {
    let y = d.year();
    (1990..=2100).contains(&y).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::parse;

    /// The instant, in UTC.
    fn p(s: &str) -> String {
        parse(s)
            .map(|d| {
                d.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
            .unwrap_or_default()
    }

    #[test]
    fn offsets_are_applied() {
        assert_eq!(p("2025-10-20T17:48:00+03:00"), "2025-10-20T14:48:00Z");
        assert_eq!(p("2025-10-20T17:48:00+0300"), "2025-10-20T14:48:00Z");
        assert_eq!(p("2025-10-20T14:48:00.000Z"), "2025-10-20T14:48:00Z");
        assert_eq!(p("2019-11-19 08:00:00 -0500"), "2019-11-19T13:00:00Z");
        assert_eq!(p("Tue, 19 Nov 2019 08:00:00 GMT"), "2019-11-19T08:00:00Z");
        assert_eq!(p("2019-11-19T08:00:00-05:00"), "2019-11-19T13:00:00Z");
        assert_eq!(p("2019-11-20 12:32:13+08:00"), "2019-11-20T04:32:13Z");
    }

    #[test]
    fn display_forms_in_meta() {
        assert_eq!(p("November 19, 2019, 07:47 PM EST"), "2019-11-20T00:47:00Z");
        assert_eq!(p("March 3, 2021 9:05 AM PST"), "2021-03-03T17:05:00Z");
        assert_eq!(p("November 20, 2019 12:32"), "2019-11-20T12:32:00Z");
        assert_eq!(p("Jan 5, 2022, 3:15 pm"), "2022-01-05T15:15:00Z");
        assert_eq!(
            p("Tue Nov 19 2019 03:05:46 GMT+0000"),
            "2019-11-19T03:05:46Z"
        );
        assert_eq!(
            p("Tue Nov 19 2019 03:05:46 GMT-0500"),
            "2019-11-19T08:05:46Z"
        );
    }

    #[test]
    fn zoneless_is_utc() {
        assert_eq!(p("2025-10-20T14:48:00"), "2025-10-20T14:48:00Z");
        assert_eq!(p("2025-10-20 14:48"), "2025-10-20T14:48:00Z");
        assert_eq!(p("2025-10-20"), "2025-10-20T00:00:00Z");
    }

    #[test]
    fn printed_dates() {
        let t = |s: &str| {
            super::parse_text(s)
                .map(|d| {
                    d.with_timezone(&chrono::Utc)
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                })
                .unwrap_or_default()
        };
        assert_eq!(t("November 19, 2019, 9:02 AM"), "2019-11-19T09:02:00Z");
        assert_eq!(
            t("Posted: Monday, Nov. 18, 2019 | 9:02 AM"),
            "2019-11-18T00:00:00Z"
        );
        assert_eq!(
            t("First Published on Nov 20, 2019 01:38 pm IST"),
            "2019-11-20T08:08:00Z"
        );
        assert_eq!(
            t("19 November 2019 \u{2022} 1:16pm"),
            "2019-11-19T00:00:00Z"
        );
        assert_eq!(t("Last Updated : Nov 20, 2019 01:41 PM IST"), "");
        assert_eq!(t("Share this story"), "");
        assert_eq!(t("November 20"), "");
    }

    #[test]
    fn the_page_offset_is_kept() {
        let k = |s: &str| parse(s).map(|d| d.to_rfc3339()).unwrap_or_default();
        // 23:30 at +02:00 is the 16th where it was published, the 15th in UTC.
        assert_eq!(k("2019-10-16T00:30:00+02:00"), "2019-10-16T00:30:00+02:00");
        assert_eq!(k("2019-10-16"), "2019-10-16T00:00:00+00:00");
        // A zone glued to the time.
        assert_eq!(k("2021-04-06T16:02:50CDT"), "2021-04-06T16:02:50-05:00");
        assert_eq!(k("2021-04-06T16:02:50Z"), "2021-04-06T16:02:50+00:00");
    }

    fn s(text: &str, order: super::Order) -> String {
        super::scan(text, order)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn printed_numeric_dates() {
        use super::Order::{DayFirst, MonthFirst};
        assert_eq!(
            s("Veröffentlicht am 10.11.2021 um 12:00", DayFirst),
            "2021-11-10"
        );
        assert_eq!(s("10. 11. 2021", MonthFirst), "2021-11-10");
        assert_eq!(s("Posted 08/12/2017 by admin", MonthFirst), "2017-08-12");
        assert_eq!(s("Posted 08/12/2017 by admin", DayFirst), "2017-12-08");
        assert_eq!(s("Posted 25/12/2017", MonthFirst), "2017-12-25");
        assert_eq!(s("2017-08-12 14:00", DayFirst), "2017-08-12");
        assert_eq!(s("2017/8/12", DayFirst), "2017-08-12");
        assert_eq!(s("发布时间：2020年3月5日 10:00", DayFirst), "2020-03-05");
        assert_eq!(s("2020년 3월 5일", DayFirst), "2020-03-05");
        // Version numbers, phone numbers and impossible days are no dates.
        assert_eq!(s("version 1.2.2021.5", DayFirst), "");
        assert_eq!(s("31.02.2020", DayFirst), "");
        assert_eq!(s("call 12 34 56", DayFirst), "");
    }

    #[test]
    fn printed_month_names() {
        use super::Order::DayFirst;
        for (text, want) in [
            ("3. März 2020", "2020-03-03"),
            ("le 5 février 2019 à 10h", "2019-02-05"),
            ("5 de noviembre de 2019", "2019-11-05"),
            ("12 maggio 2018", "2018-05-12"),
            ("5 de março de 2019", "2019-03-05"),
            ("5 maart 2019", "2019-03-05"),
            ("5 октября 2019 г.", "2019-10-05"),
            ("5 листопада 2019", "2019-11-05"),
            ("5 września 2019", "2019-09-05"),
            ("5 augusti 2019", "2019-08-05"),
            ("5. desember 2019", "2019-12-05"),
            ("5. tammikuuta 2019", "2019-01-05"),
            ("5. července 2019", "2019-07-05"),
            ("5. června 2019", "2019-06-05"),
            ("5 Kasım 2019", "2019-11-05"),
            ("November 5th, 2019", "2019-11-05"),
            ("Nov. 5, 2019", "2019-11-05"),
            ("Sept 5 2019", "2019-09-05"),
        ] {
            assert_eq!(s(text, DayFirst), want, "{text}");
        }
        // Words that only look like months.
        assert_eq!(s("Article 5, 2019", DayFirst), "");
    }

    #[test]
    fn url_dates() {
        let u = |p: &str| {
            super::from_url(p)
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        assert_eq!(u("/2016/12/15/some-story/"), "2016-12-15");
        assert_eq!(u("/news/2016/2/5/story.html"), "2016-02-05");
        assert_eq!(u("/2016-12-15-some-story"), "2016-12-15");
        assert_eq!(u("/archive/20161215/story"), "2016-12-15");
        assert_eq!(u("/2016/12/story"), "");
        assert_eq!(u("/story-12345678"), "");
        assert_eq!(u("/media-news/meldungen/29-10-2021"), "2021-10-29");
        assert_eq!(u("/notes/05.03.2020.html"), "2020-03-05");
        assert_eq!(u("/notes/10-29-2021"), "2021-10-29");
        assert_eq!(u("/item/12-345-6789"), "");
    }

    #[test]
    fn most_frequent_iso_day_in_raw_html() {
        let html = r#"<script>show("2020/04/17 01:43")</script><p>Since 2019-01-02.</p>
            <!-- cached 2020-04-17 21:36 --><a href="/p?id=12020-01-01">x</a>"#;
        assert_eq!(
            super::most_frequent_iso(html)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2020-04-17")
        );
        assert_eq!(
            super::most_frequent_iso("no dates, 2020-13-45 neither"),
            None
        );
    }

    #[test]
    fn relative_phrases() {
        let now = chrono::DateTime::parse_from_rfc3339("2024-03-10T01:00:00+01:00").unwrap();
        let r = |t: &str| {
            super::relative(t, now)
                .map(|d| d.date_naive().to_string())
                .unwrap_or_default()
        };
        assert_eq!(r("3 hours ago"), "2024-03-09");
        assert_eq!(r("vor 2 Tagen"), "2024-03-08");
        assert_eq!(r("Yesterday"), "2024-03-09");
        assert_eq!(r("5 minutes ago"), "2024-03-10");
        assert_eq!(r("about the hours we keep"), "");
    }

    #[test]
    fn a_utc_instant_is_shown_on_the_local_day() {
        let d = parse("2023-11-09T01:09:55Z").unwrap();
        let local = super::on_local_day(d, chrono::NaiveDate::from_ymd_opt(2023, 11, 8).unwrap());
        assert_eq!(local.to_rfc3339(), "2023-11-08T23:09:55-02:00");
        assert_eq!(local, d, "the instant is the same");
        let later = super::on_local_day(
            parse("2023-11-01T23:01:00Z").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2023, 11, 2).unwrap(),
        );
        assert_eq!(later.to_rfc3339(), "2023-11-02T00:01:00+01:00");
        // A day further off is another date, not another zone.
        let far = super::on_local_day(d, chrono::NaiveDate::from_ymd_opt(2023, 11, 5).unwrap());
        assert_eq!(far.to_rfc3339(), "2023-11-09T01:09:55+00:00");
    }

    #[test]
    fn junk_is_none() {
        assert_eq!(p(""), "");
        assert_eq!(p("yesterday"), "");
        assert_eq!(p("0000-00-00"), "");
        assert_eq!(p("1970-01-01T00:00:00Z"), "");
    }
}

//! Lenient date parsing for sitemaps and feeds: W3C/ISO 8601 (`lastmod`, Atom, JSON Feed) and
//! RFC 822 as feeds really write it (any order, named zones, two-digit years, some non-English
//! month names). A date we cannot read is `None`, never a guess.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// Longer date strings are not dates; this bounds the work spent on junk.
const MAX_DATE_LEN: usize = 100;

/// Parses a date in any of the forms sitemaps and feeds use. Date-only values mean midnight UTC;
/// a missing zone means UTC.
pub fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() || s.len() > MAX_DATE_LEN {
        return None;
    }
    w3c(s).or_else(|| rfc822(s))
}

fn build(
    (y, mo, d): (i32, u32, u32),
    (h, mi, sec, nanos): (u32, u32, u32, u32),
    off_secs: i32,
) -> Option<DateTime<FixedOffset>> {
    if !(1000..=9999).contains(&y) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    // A leap second (":60") is read as the last second of the minute.
    let time = NaiveTime::from_hms_nano_opt(h, mi, sec.min(59), nanos)?;
    let off = FixedOffset::east_opt(off_secs)?;
    NaiveDateTime::new(date, time)
        .and_local_timezone(off)
        .single()
}

/// A byte cursor over an ASCII-ish date string.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Exactly `n` digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.i.checked_add(n)?;
        let s = self.b.get(self.i..end)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i = end;
        Some(s.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
    }
    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

/// W3C datetime (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.s]]TZD`) and the lenient
/// forms seen in the wild: space for `T`, `/` for `-`, zone `+hhmm`, `+hh`, ` UTC`, or none.
fn w3c(s: &str) -> Option<DateTime<FixedOffset>> {
    let mut c = Cur {
        b: s.as_bytes(),
        i: 0,
    };
    let y = c.digits(4)? as i32;
    let (mut mo, mut d) = (1, 1);
    if c.eat(b'-') || c.eat(b'/') {
        mo = c.digits(2).or_else(|| c.digits(1))?;
        if c.eat(b'-') || c.eat(b'/') {
            d = c.digits(2).or_else(|| c.digits(1))?;
        }
    }
    let (mut h, mut mi, mut sec, mut nanos) = (0, 0, 0, 0);
    let mut off = 0;
    if !c.done() {
        if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
            return None;
        }
        c.skip_spaces();
        h = c.digits(2).or_else(|| c.digits(1))?;
        if !c.eat(b':') {
            return None;
        }
        mi = c.digits(2)?;
        if c.eat(b':') {
            sec = c.digits(2)?;
            if c.eat(b'.') || c.eat(b',') {
                let start = c.i;
                while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                    c.i += 1;
                }
                let frac = &s[start..c.i];
                if frac.is_empty() {
                    return None;
                }
                let padded: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
                nanos = padded.parse().ok()?;
            }
        }
        c.skip_spaces();
        off = zone_at(&mut c)?;
        c.skip_spaces();
        if !c.done() {
            return None;
        }
    }
    build((y, mo, d), (h, mi, sec, nanos), off)
}

/// The zone at the cursor: nothing (UTC), `Z`, `±hh:mm`, `±hhmm`, `±hh`, `UTC`/`GMT`.
fn zone_at(c: &mut Cur) -> Option<i32> {
    match c.peek() {
        None => Some(0),
        Some(b'Z' | b'z') => {
            c.i += 1;
            Some(0)
        }
        Some(b'+' | b'-') => numeric_zone(&s_from(c)).inspect(|_| c.i = c.b.len()),
        Some(_) => named_zone(&s_from(c)).inspect(|_| c.i = c.b.len()),
    }
}

fn s_from(c: &Cur) -> String {
    String::from_utf8_lossy(&c.b[c.i..]).trim().to_string()
}

/// `+hh:mm`, `+hhmm`, `+hh`, `+h` (also with `-`), in seconds east of UTC.
fn numeric_zone(z: &str) -> Option<i32> {
    let (sign, rest) = match z.as_bytes().first()? {
        b'+' => (1, &z[1..]),
        b'-' => (-1, &z[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = match digits.len() {
        1 | 2 => (digits.parse().ok()?, 0),
        3 => (digits[..1].parse().ok()?, digits[1..].parse().ok()?),
        _ => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
    };
    if h > 18 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// Zone names feeds use (RFC 822's plus common ones), in seconds east of UTC. Military letters
/// other than Z mean "unknown" per RFC 2822 and are read as UTC. `GMT+2` style is accepted.
fn named_zone(z: &str) -> Option<i32> {
    let upper = z.to_ascii_uppercase();
    for p in ["GMT", "UTC", "UT"] {
        if let Some(rest) = upper.strip_prefix(p)
            && (rest.starts_with('+') || rest.starts_with('-'))
        {
            return numeric_zone(rest);
        }
    }
    let h = |h: i32| Some(h * 3600);
    match upper.as_str() {
        "UT" | "UTC" | "GMT" | "Z" | "WET" | "Z00" => h(0),
        "EST" => h(-5),
        "EDT" => h(-4),
        "CST" => h(-6),
        "CDT" => h(-5),
        "MST" => h(-7),
        "MDT" => h(-6),
        "PST" => h(-8),
        "PDT" => h(-7),
        "AKST" => h(-9),
        "AKDT" => h(-8),
        "HST" => h(-10),
        "BST" | "CET" | "WEST" | "MEZ" => h(1),
        "CEST" | "EET" | "MESZ" | "SAST" => h(2),
        "EEST" | "MSK" => h(3),
        "IST" => Some(5 * 3600 + 1800),
        "JST" | "KST" => h(9),
        "AEST" => h(10),
        "AEDT" => h(11),
        "NZST" => h(12),
        "NZDT" => h(13),
        m if m.len() == 1 && m.as_bytes()[0].is_ascii_alphabetic() && m != "J" => h(0),
        _ => None,
    }
}

/// Month from a name in English or a few other languages feeds are written in.
fn month(word: &str) -> Option<u32> {
    let w: String = word.trim_end_matches('.').to_lowercase();
    if w.chars().count() < 3 || !w.chars().all(char::is_alphabetic) {
        return None;
    }
    let p: String = w.chars().take(3).collect();
    let m = match p.as_str() {
        "jan" | "gen" | "ene" | "янв" => 1,
        "feb" | "fév" | "fev" | "фев" => 2,
        "mar" | "mär" | "mrz" | "mrt" | "мар" => 3,
        "apr" | "avr" | "abr" | "апр" => 4,
        "may" | "mai" | "mag" | "mei" | "май" | "мая" => 5,
        "jun" | "giu" | "июн" => 6,
        "jul" | "lug" | "июл" => 7,
        "aug" | "ago" | "aoû" | "aou" | "авг" => 8,
        "sep" | "set" | "сен" => 9,
        "oct" | "okt" | "ott" | "out" | "окт" => 10,
        "nov" | "ноя" => 11,
        "dec" | "déc" | "dez" | "dic" | "дек" => 12,
        "jui" => match w.chars().nth(3) {
            Some('n') => 6,
            Some('l') => 7,
            _ => return None,
        },
        _ => return None,
    };
    Some(m)
}

/// RFC 822 / 2822 dates and their common deviations: optional or misplaced day name, `May 1, 2024`
/// order, two-digit years, missing seconds or zone, `AM`/`PM`, time glued to its zone.
fn rfc822(s: &str) -> Option<DateTime<FixedOffset>> {
    let (mut day, mut mon, mut year) = (None, None, None);
    let mut time: Option<(u32, u32, u32)> = None;
    let mut zone: Option<i32> = None;
    let mut pm: Option<bool> = None;
    let mut seen_number = false;
    // Tokens split on whitespace and commas; a token followed by a comma is marked.
    let tokens = s.split([' ', '\t', '\n', '\r']).flat_map(|w| {
        let parts: Vec<&str> = w.split(',').collect();
        let last = parts.len() - 1;
        parts
            .into_iter()
            .enumerate()
            .map(move |(i, p)| (p, i < last))
    });
    for (tok, ends_comma) in tokens {
        if tok.is_empty() {
            continue;
        }
        let first = tok.as_bytes()[0];
        if first.is_ascii_digit() && tok.contains(':') {
            // "10:00", "10:00:00", "10:00:00+0000", "10:00:00Z", "10:00:00GMT"
            let cut = tok
                .find(|c: char| !(c.is_ascii_digit() || c == ':'))
                .unwrap_or(tok.len());
            let mut parts = tok[..cut].split(':');
            let h = parts.next()?.parse().ok()?;
            let m = parts.next()?.parse().ok()?;
            let sec = match parts.next() {
                Some(x) => x.parse().ok()?,
                None => 0,
            };
            time = Some((h, m, sec));
            let rest = &tok[cut..];
            if !rest.is_empty() {
                // Fractional seconds are dropped; what follows is the zone.
                let rest = rest
                    .trim_start_matches('.')
                    .trim_start_matches(|c: char| c.is_ascii_digit());
                if !rest.is_empty() {
                    zone = Some(if rest.starts_with(['+', '-']) {
                        numeric_zone(rest)?
                    } else {
                        named_zone(rest)?
                    });
                }
            }
        } else if first == b'+' || (first == b'-' && tok.len() > 1) {
            zone = Some(numeric_zone(tok)?);
        } else if first.is_ascii_digit() {
            let digits: &str = tok.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '.');
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                // "01-May-2024"
                let parts: Vec<&str> = tok.split(['-', '/']).collect();
                if parts.len() == 3 {
                    day = Some(parts[0].parse().ok()?);
                    mon = Some(month(parts[1])?);
                    year = Some(year_of(parts[2])?);
                    seen_number = true;
                    continue;
                }
                return None;
            }
            let n: u32 = digits.parse().ok()?;
            seen_number = true;
            if digits.len() >= 3 {
                year = Some(year_of(digits)?);
            } else if day.is_none() && (1..=31).contains(&n) && (year.is_none() || mon.is_some()) {
                day = Some(n);
            } else if year.is_none() {
                year = Some(year_of(digits)?);
            } else {
                return None;
            }
        } else {
            let upper = tok.to_ascii_uppercase();
            if upper == "AM" || upper == "PM" {
                pm = Some(upper == "PM");
            } else if ends_comma && !seen_number && mon.is_none() {
                // A day name ("Tue," or Spanish "mar,"): never a month when followed by a comma
                // before any number.
            } else if let Some(m) = month(tok) {
                if mon.is_some() {
                    return None;
                }
                mon = Some(m);
            } else if let Some(z) = named_zone(tok) {
                zone = Some(z);
            }
            // Anything else (day names, "at", "de") is noise.
        }
    }
    let (mut h, mi, sec) = time.unwrap_or((0, 0, 0));
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    build((year?, mon?, day?), (h, mi, sec, 0), zone.unwrap_or(0))
}

fn year_of(digits: &str) -> Option<i32> {
    let n: i32 = digits.parse().ok()?;
    match digits.len() {
        2 => Some(if n < 50 { 2000 + n } else { 1900 + n }),
        4 => Some(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse(s)
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn w3c_forms() {
        assert_eq!(iso("2024-05-01"), "2024-05-01T00:00:00+00:00");
        assert_eq!(iso("2024-05"), "2024-05-01T00:00:00+00:00");
        assert_eq!(iso("2024"), "2024-01-01T00:00:00+00:00");
        assert_eq!(iso("2024-05-01T10:20+02:00"), "2024-05-01T10:20:00+02:00");
        assert_eq!(
            iso("2024-05-01T10:20:30.5Z"),
            "2024-05-01T10:20:30.500+00:00"
        );
        assert_eq!(
            iso(" 2024-05-01 10:20:30 +0530 "),
            "2024-05-01T10:20:30+05:30"
        );
        assert_eq!(iso("2024-05-01T10:20:30"), "2024-05-01T10:20:30+00:00");
        assert_eq!(iso("2024-05-01T10:20:30-05"), "2024-05-01T10:20:30-05:00");
        assert_eq!(iso("2024/5/1"), "2024-05-01T00:00:00+00:00");
        assert_eq!(iso("2024-05-01T10:20:30 UTC"), "2024-05-01T10:20:30+00:00");
        assert_eq!(iso("2024-02-30"), "none");
        assert_eq!(iso("2024-05-01T25:00Z"), "none");
        assert_eq!(iso("2024-05-01T10:20+99:00"), "none");
    }

    #[test]
    fn rfc822_forms() {
        assert_eq!(
            iso("Tue, 21 May 2024 10:00:00 +0000"),
            "2024-05-21T10:00:00+00:00"
        );
        assert_eq!(
            iso("Tue, 21 May 2024 10:00:00 GMT"),
            "2024-05-21T10:00:00+00:00"
        );
        assert_eq!(iso("21 May 2024 10:00 EST"), "2024-05-21T10:00:00-05:00");
        assert_eq!(
            iso("Tuesday, 21 May 24 10:00:00 PDT"),
            "2024-05-21T10:00:00-07:00"
        );
        assert_eq!(
            iso("Tue, 1 Sept 2024 10:00:00 +02:00"),
            "2024-09-01T10:00:00+02:00"
        );
        assert_eq!(iso("May 21, 2024 10:00 PM"), "2024-05-21T22:00:00+00:00");
        assert_eq!(
            iso("Tue,21 May 2024 10:00:00+0100"),
            "2024-05-21T10:00:00+01:00"
        );
        assert_eq!(
            iso("Tue, 21 May 2024 10:00:00 GMT+2"),
            "2024-05-21T10:00:00+02:00"
        );
        assert_eq!(iso("Tue, 21 May 2024"), "2024-05-21T00:00:00+00:00");
        assert_eq!(
            iso("Tue, 21 May 2024 10:00:00 A"),
            "2024-05-21T10:00:00+00:00"
        );
        assert_eq!(
            iso("21-May-2024 10:00:00 CEST"),
            "2024-05-21T10:00:00+02:00"
        );
    }

    #[test]
    fn non_english_months() {
        assert_eq!(
            iso("Di, 21 Mär 2024 10:00:00 +0100"),
            "2024-03-21T10:00:00+01:00"
        );
        assert_eq!(
            iso("mar, 21 mai 2024 10:00:00 +0200"),
            "2024-05-21T10:00:00+02:00"
        );
        assert_eq!(iso("21 juil. 2024 10:00"), "2024-07-21T10:00:00+00:00");
        assert_eq!(
            iso("mié, 21 dic 2024 10:00:00 +0100"),
            "2024-12-21T10:00:00+01:00"
        );
        assert_eq!(iso("21 okt 2024"), "2024-10-21T00:00:00+00:00");
    }

    #[test]
    fn junk_is_none() {
        for s in [
            "",
            "yesterday",
            "Tue, 32 May 2024",
            "21 Foo 2024",
            "12345678901234567890",
            "--",
            "+",
            "1:2:3:4",
            &"9".repeat(200),
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }
}

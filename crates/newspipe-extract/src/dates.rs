//! Date parsing: every machine-readable form news pages use, normalised to UTC. A zone-less
//! value is taken as UTC because the server's zone says nothing about the page.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

const WITH_ZONE: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M%z",
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M:%S %z",
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
pub fn parse(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return sane(d.with_timezone(&Utc));
    }
    // "Z" suffix and zone names are not understood by `%z`; rewrite the common ones.
    let mut owned = s.to_string();
    for (zone, off) in [
        (" UTC", "+0000"),
        (" GMT", "+0000"),
        ("Z", "+0000"),
        (" EST", "-0500"),
        (" EDT", "-0400"),
    ] {
        if let Some(stripped) = owned.strip_suffix(zone) {
            owned = format!("{}{}", stripped.trim_end(), off);
            break;
        }
    }
    let s2 = owned.as_str();
    for f in WITH_ZONE {
        if let Ok(d) = DateTime::<FixedOffset>::parse_from_str(s2, f) {
            return sane(d.with_timezone(&Utc));
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return sane(d.with_timezone(&Utc));
    }
    for f in NAIVE {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return sane(Utc.from_utc_datetime(&d));
        }
    }
    for f in DATE_ONLY {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return sane(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
        }
    }
    // Unix seconds or milliseconds, as some CMSs emit.
    if s.len() >= 9 && s.len() <= 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        let secs = if s.len() == 13 { n / 1000 } else { n };
        return sane(DateTime::from_timestamp(secs, 0)?);
    }
    None
}

/// News is not from before the web nor from the far future; such values are template junk.
fn sane(d: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let y = chrono::Datelike::year(&d);
    (1990..=2100).contains(&y).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn p(s: &str) -> String {
        parse(s)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
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
    }

    #[test]
    fn zoneless_is_utc() {
        assert_eq!(p("2025-10-20T14:48:00"), "2025-10-20T14:48:00Z");
        assert_eq!(p("2025-10-20 14:48"), "2025-10-20T14:48:00Z");
        assert_eq!(p("2025-10-20"), "2025-10-20T00:00:00Z");
    }

    #[test]
    fn junk_is_none() {
        assert_eq!(p(""), "");
        assert_eq!(p("yesterday"), "");
        assert_eq!(p("0000-00-00"), "");
        assert_eq!(p("1970-01-01T00:00:00Z"), "");
    }
}

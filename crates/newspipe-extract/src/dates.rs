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

/// Parses a date as printed on the page ("Posted: Monday, Nov. 18, 2019 | 9:02 AM",
/// "First Published on Nov 20, 2019 01:38 pm IST"): the label before the first month name or
/// number and what follows a bar or bullet are dropped. Text that mentions an update is not a
/// publication date.
pub fn parse_text(raw: &str) -> Option<DateTime<Utc>> {
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
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
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
    fn junk_is_none() {
        assert_eq!(p(""), "");
        assert_eq!(p("yesterday"), "");
        assert_eq!(p("0000-00-00"), "");
        assert_eq!(p("1970-01-01T00:00:00Z"), "");
    }
}

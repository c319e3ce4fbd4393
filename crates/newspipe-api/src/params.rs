//! Query-string and path parsing with user-facing errors: unknown or repeated parameters,
//! numbers out of range, timestamps in the forms archives use.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::problem::Problem;

/// Decoded query parameters, checked against the names a route accepts.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self, Problem> {
        let mut map = HashMap::new();
        let raw = raw.unwrap_or("");
        if raw.len() > 16 * 1024 {
            return Err(Problem::bad_request(
                "the query string is longer than 16 KiB",
            ));
        }
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            if !allowed.contains(&k.as_ref()) {
                return Err(Problem::bad_request(format!(
                    "unknown parameter {:?}; this endpoint accepts: {}",
                    k.chars().take(40).collect::<String>(),
                    allowed.join(", ")
                )));
            }
            if map.insert(k.to_string(), v.into_owned()).is_some() {
                return Err(Problem::bad_request(format!(
                    "parameter {k:?} is given twice"
                )));
            }
        }
        Ok(Self(map))
    }

    /// The value, `None` when absent or empty.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn string(&self, k: &str) -> Option<String> {
        self.get(k).map(String::from)
    }

    /// An integer in `min..=max`, `default` when absent.
    pub fn int(&self, k: &str, default: i64, min: i64, max: i64) -> Result<i64, Problem> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                Ok(n) => Err(Problem::bad_request(format!(
                    "{k} must be between {min} and {max}, not {n}"
                ))),
                Err(_) => Err(Problem::bad_request(format!(
                    "{k} must be a whole number, not {:?}",
                    short(v)
                ))),
            },
        }
    }

    pub fn time(&self, k: &str, end: bool) -> Result<Option<DateTime<Utc>>, Problem> {
        self.get(k).map(|v| parse_time(k, v, end)).transpose()
    }
}

pub fn short(s: &str) -> String {
    let mut t: String = s.chars().take(60).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// RFC 3339, `YYYY-MM-DD`, or a Wayback timestamp of 4 to 14 digits (`YYYY[MM[DD[hh[mm[ss]]]]]`).
/// With `end`, a partial date means the end of that period (as in CDX `to=`).
pub fn parse_time(name: &str, v: &str, end: bool) -> Result<DateTime<Utc>, Problem> {
    let v = v.trim();
    let bad = || {
        Problem::bad_request(format!(
            "{name} {:?} is not a time: use RFC 3339 (2025-01-02T03:04:05Z), a date \
             (2025-01-02) or a timestamp of 4 to 14 digits (20250102030405)",
            short(v)
        ))
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let t = d.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        let t = if end {
            t + chrono::Duration::days(1) - chrono::Duration::seconds(1)
        } else {
            t
        };
        return Ok(Utc.from_utc_datetime(&t));
    }
    if (4..=14).contains(&v.len())
        && v.len().is_multiple_of(2)
        && v.bytes().all(|b| b.is_ascii_digit())
    {
        return wayback(v, end).ok_or_else(bad);
    }
    Err(bad())
}

fn wayback(v: &str, end: bool) -> Option<DateTime<Utc>> {
    let year: i32 = v[0..4].parse().ok()?;
    // Some(None): the digits stop before this field; None: not a number.
    let part = |i: usize| -> Option<Option<u32>> {
        if v.len() > i {
            v[i..i + 2].parse().ok().map(Some)
        } else {
            Some(None)
        }
    };
    let month = part(4)?;
    let day = part(6)?;
    let hour = part(8)?;
    let min = part(10)?;
    let sec = part(12)?;
    let start = NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1))?.and_hms_opt(
        hour.unwrap_or(0),
        min.unwrap_or(0),
        sec.unwrap_or(0),
    )?;
    if !end {
        return Some(Utc.from_utc_datetime(&start));
    }
    // The last second of the period the digits name.
    let next: NaiveDateTime = if month.is_none() {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?.and_hms_opt(0, 0, 0)?
    } else if day.is_none() {
        let (y, m) = if month? == 12 {
            (year + 1, 1)
        } else {
            (year, month? + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)?.and_hms_opt(0, 0, 0)?
    } else if hour.is_none() {
        start + chrono::Duration::days(1)
    } else if min.is_none() {
        start + chrono::Duration::hours(1)
    } else if sec.is_none() {
        start + chrono::Duration::minutes(1)
    } else {
        start + chrono::Duration::seconds(1)
    };
    Some(Utc.from_utc_datetime(&(next - chrono::Duration::seconds(1))))
}

/// `YYYYMMDDhhmmss` in UTC.
pub fn timestamp14(t: DateTime<Utc>) -> String {
    t.format("%Y%m%d%H%M%S").to_string()
}

/// An HTTP date (RFC 9110 IMF-fixdate).
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A positive article id from a path segment.
pub fn article_id(s: &str) -> Result<i64, Problem> {
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Problem::bad_request(format!(
            "article id must be a positive whole number, not {:?}",
            short(s)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = |v, end| parse_time("t", v, end).map(|t| t.to_rfc3339());
        assert_eq!(t("2025", false).unwrap(), "2025-01-01T00:00:00+00:00");
        assert_eq!(t("2025", true).unwrap(), "2025-12-31T23:59:59+00:00");
        assert_eq!(t("202502", true).unwrap(), "2025-02-28T23:59:59+00:00");
        assert_eq!(
            t("20250102030405", false).unwrap(),
            "2025-01-02T03:04:05+00:00"
        );
        assert_eq!(t("2025-01-02", true).unwrap(), "2025-01-02T23:59:59+00:00");
        assert_eq!(
            t("2025-01-02T03:04:05+01:00", false).unwrap(),
            "2025-01-02T02:04:05+00:00"
        );
        for bad in [
            "",
            "yesterday",
            "20251",
            "20251301",
            "2025-13-01",
            "99999999999999",
            "'; --",
        ] {
            assert!(t(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn params() {
        let p = Params::parse(Some("q=a+b&limit=5"), &["q", "limit"]).unwrap();
        assert_eq!(p.get("q"), Some("a b"));
        assert_eq!(p.int("limit", 10, 1, 100).unwrap(), 5);
        assert!(Params::parse(Some("x=1"), &["q"]).is_err());
        assert!(Params::parse(Some("q=1&q=2"), &["q"]).is_err());
        let p = Params::parse(Some("limit=-1"), &["limit"]).unwrap();
        assert!(p.int("limit", 10, 1, 100).is_err());
        let p = Params::parse(Some("limit=99999999999999999999"), &["limit"]).unwrap();
        assert!(p.int("limit", 10, 1, 100).is_err());
    }
}

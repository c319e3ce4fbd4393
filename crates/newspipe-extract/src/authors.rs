//! Author cleaning: turns bylines, meta values and JSON-LD names into plain person names.

/// Words that mark a role or an affiliation rather than a name.
const ROLE_WORDS: &[&str] = &[
    "editor",
    "reporter",
    "correspondent",
    "writer",
    "staff",
    "contributor",
    "columnist",
    "journalist",
    "senior",
    "chief",
    "producer",
    "analyst",
    "director",
    "photographer",
    "associated",
    "press",
    "updated",
    "published",
    "posted",
    "minutes",
    "min",
    "read",
    "hours",
    "ago",
    "follow",
    "email",
    "twitter",
    "facebook",
    "instagram",
    "linkedin",
    "bureau",
    "desk",
    "team",
    "news",
    "opinion",
    "contributing",
    "special",
    "digital",
    "manager",
    "fellow",
    "professor",
    "author",
    "more",
    "view",
    "all",
    "articles",
    "posts",
    "stories",
    "profile",
    "share",
    "image",
    "photo",
    "video",
    "sign",
    "subscribe",
    "in",
    "at",
];

/// Splits a byline or meta value into clean names (no "By", roles, dates, URLs).
pub fn clean(raw: &str) -> Vec<String> {
    let mut s = collapse(raw);
    if s.is_empty() || s.len() > 300 {
        return Vec::new();
    }
    if looks_like_url(&s) {
        return from_url(&s).into_iter().collect();
    }
    // What follows a bar or a dash is an outlet, a role or a date.
    for sep in [" | ", "|", " – ", " — ", " - ", "\u{2022}", "·", "\n"] {
        if let Some(i) = s.find(sep) {
            s.truncate(i);
        }
    }
    let s = strip_by(s.trim());
    let mut out = Vec::new();
    for part in split_names(&s) {
        if let Some(n) = clean_one(&part) {
            out.push(n);
        }
    }
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("//")
        || s.starts_with('/')
}

/// A profile URL's last path segment is usually the author's slug (`/author/jane-doe/`).
fn from_url(s: &str) -> Option<String> {
    let path = s.split(['?', '#']).next()?;
    let mut segs = path.trim_end_matches('/').rsplit('/');
    let slug = segs.next()?;
    let parent = segs.next().unwrap_or("");
    if !matches!(
        parent,
        "author"
            | "authors"
            | "people"
            | "by"
            | "staff"
            | "profile"
            | "profiles"
            | "journalist"
            | "reporters"
    ) {
        return None;
    }
    let name = slug
        .split(['-', '_', '+'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    clean_one(&name)
}

fn strip_by(s: &str) -> String {
    let mut s = s
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    loop {
        let lower = s.to_lowercase();
        let mut changed = false;
        for p in [
            "by:",
            "by ",
            "von ",
            "por ",
            "par ",
            "di ",
            "oleh ",
            "written by ",
            "words by ",
            "reporting by ",
            "author:",
            "authors:",
        ] {
            if lower.starts_with(p) {
                s = s[p.len()..].trim_start().to_string();
                changed = true;
                break;
            }
        }
        if !changed {
            return s;
        }
    }
}

fn split_names(s: &str) -> Vec<String> {
    let mut parts = vec![s.to_string()];
    for sep in [
        ";", ",", " and ", " & ", " e ", " und ", " y ", " et ", " dan ",
    ] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts
}

/// One candidate name, or `None` when it is a role, a date or other noise.
fn clean_one(s: &str) -> Option<String> {
    let s = strip_by(s.trim());
    let s = s.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')');
    let s = s.trim_end_matches('.');
    if s.is_empty() || s.chars().count() > 60 || s.contains('@') || s.contains("://") {
        return None;
    }
    if s.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    if words.iter().any(|w| {
        let w = w.to_lowercase();
        ROLE_WORDS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric()))
    }) {
        return None;
    }
    if !s.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    Some(s.to_string())
}

/// Appends names not yet present (case-insensitive), keeping first-seen order.
pub fn push_unique(out: &mut Vec<String>, names: Vec<String>) {
    for n in names {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&n)) {
            out.push(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn byline_with_outlet() {
        assert_eq!(
            clean("By Jane Doe and John Smith | Reuters"),
            vec!["Jane Doe", "John Smith"]
        );
    }

    #[test]
    fn role_after_comma() {
        assert_eq!(clean("Jane Doe, Senior Editor"), vec!["Jane Doe"]);
        assert_eq!(clean("BY JANE DOE, Associated Press"), vec!["JANE DOE"]);
    }

    #[test]
    fn urls() {
        assert_eq!(
            clean("https://example.com/author/jane-doe/"),
            vec!["Jane Doe"]
        );
        assert!(clean("https://www.facebook.com/janedoe").is_empty());
    }

    #[test]
    fn dates_and_lists() {
        assert_eq!(clean("By Jane Doe - Updated 5:04 PM"), vec!["Jane Doe"]);
        assert_eq!(
            clean("Jane Doe, John Smith & Ann Lee"),
            vec!["Jane Doe", "John Smith", "Ann Lee"]
        );
        assert!(clean("Staff").is_empty());
        assert!(clean("12 November 2019").is_empty());
    }
}

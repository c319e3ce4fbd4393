//! JSON-LD: finds the article object in any shape pages use (`@graph`, arrays, nested authors)
//! and reads its fields.

use serde_json::Value;

const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "blogposting",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "scholarlyarticle",
    "techarticle",
    "socialmediaposting",
    "liveblogposting",
    "report",
    "posting",
    "blog",
];

/// Fields read from the page's JSON-LD; empty when it has none.
#[derive(Debug, Default)]
pub struct JsonLd {
    pub is_article: bool,
    /// A listing type (`CollectionPage`, `ItemList`, `SearchResultsPage`, …) describes the page.
    pub is_listing: bool,
    pub headline: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub section: Option<String>,
    pub publisher: Option<String>,
    pub image: Option<String>,
    pub image_caption: Option<String>,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub body: Option<String>,
    pub url: Option<String>,
    pub in_language: Option<String>,
    pub breadcrumbs: Vec<String>,
}

/// Parses every JSON-LD block and merges what they say.
pub fn parse(blocks: &[String]) -> JsonLd {
    let mut values = Vec::new();
    for b in blocks {
        let t = b.trim();
        let t = t.trim_start_matches("<!--").trim_end_matches("-->");
        let t = t
            .trim()
            .trim_start_matches("//<![CDATA[")
            .trim_end_matches("//]]>")
            .trim();
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            values.push(v);
        } else if let Ok(v) = serde_json::from_str::<Value>(&lenient(t)) {
            values.push(v);
        }
    }
    let mut objs = Vec::new();
    for v in &values {
        collect(v, &mut objs, 0);
    }
    let mut out = JsonLd::default();
    let mut best: Option<&Value> = None;
    // Yoast-style graphs date the `WebPage`, fact checks the `ClaimReview`, health sites put
    // the author on a `MedicalWebPage`: the page's dates and authors when the article object
    // has none.
    let mut page_dates: (Option<String>, Option<String>) = (None, None);
    let mut page_obj: Option<&Value> = None;
    // Any other object that dates itself (`VideoObject`, `Event`, `Product`…): the page's date
    // when nothing else gives one.
    let mut any_date: Option<String> = None;
    for o in &objs {
        if any_date.is_none() {
            any_date = str_of(o.get("datePublished")).or_else(|| str_of(o.get("uploadDate")));
        }
        let types = types_of(o);
        if types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
            // Prefer the object that carries the most article fields (pages nest teasers too).
            let rank = |v: &Value| {
                ["headline", "datePublished", "author", "articleBody"]
                    .iter()
                    .filter(|k| v.get(**k).is_some())
                    .count()
            };
            if best.is_none_or(|b| rank(o) > rank(b)) {
                best = Some(o);
            }
        }
        if types.iter().any(|t| {
            matches!(
                t.as_str(),
                "collectionpage"
                    | "itemlist"
                    | "searchresultspage"
                    | "profilepage"
                    | "aboutpage"
                    | "contactpage"
            )
        }) {
            out.is_listing = true;
        }
        if types.iter().any(|t| t == "breadcrumblist") && out.breadcrumbs.is_empty() {
            out.breadcrumbs = breadcrumbs(o);
        }
        if out.publisher.is_none() && types.iter().any(|t| t == "website") {
            out.publisher = str_of(o.get("name"));
        }
        if page_dates.0.is_none()
            && types
                .iter()
                .any(|t| t.ends_with("webpage") || t == "claimreview")
        {
            page_obj = Some(o);
            page_dates = (
                str_of(o.get("datePublished")),
                str_of(o.get("dateModified")),
            );
        }
    }
    if let Some(a) = best {
        out.is_article = true;
        out.headline = str_of(a.get("headline")).or_else(|| str_of(a.get("name")));
        if let Some(v) = a.get("author").or_else(|| a.get("creator")) {
            names(v, &mut out.authors, 0);
            // Yoast-style graphs name the author by reference: `{"@id": "…#/person/1"}`.
            if out.authors.is_empty() {
                for id in refs(v) {
                    if let Some(p) = objs
                        .iter()
                        .find(|o| str_of(o.get("@id")).as_deref() == Some(id))
                    {
                        names(p, &mut out.authors, 0);
                    }
                }
            }
        }
        out.published = str_of(a.get("datePublished")).or_else(|| str_of(a.get("dateCreated")));
        out.modified = str_of(a.get("dateModified"));
        out.section = str_of(a.get("articleSection"));
        if let Some(p) = a.get("publisher")
            && let Some(n) = str_of(p.get("name")).or_else(|| str_of(Some(p)))
        {
            out.publisher = Some(n);
        }
        if let Some(img) = a.get("image").or_else(|| a.get("thumbnailUrl")) {
            let (u, c) = image(img, 0);
            out.image = u;
            out.image_caption = c;
        }
        out.description = str_of(a.get("description"));
        out.keywords = match a.get("keywords") {
            Some(Value::String(s)) => s
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            Some(Value::Array(a)) => a.iter().filter_map(|v| str_of(Some(v))).collect(),
            _ => Vec::new(),
        };
        out.body = str_of(a.get("articleBody"));
        out.url = str_of(a.get("url")).or_else(|| match a.get("mainEntityOfPage") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(o @ Value::Object(_)) => str_of(o.get("@id")).or_else(|| str_of(o.get("url"))),
            _ => None,
        });
        out.in_language = str_of(a.get("inLanguage"));
    }
    if out.published.is_none() {
        out.published = page_dates.0.or(any_date);
    }
    if out.modified.is_none() {
        out.modified = page_dates.1;
    }
    if out.authors.is_empty()
        && let Some(v) = page_obj.and_then(|p| p.get("author"))
    {
        names(v, &mut out.authors, 0);
    }
    out
}

/// Repairs the two mistakes hand-written JSON-LD makes most: raw control characters (newlines,
/// tabs) inside strings and trailing commas before `}` or `]`.
fn lenient(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in t.char_indices() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            out.push(if c.is_control() { ' ' } else { c });
            continue;
        }
        match c {
            '"' => in_str = true,
            ',' => {
                let next = t[i + 1..].trim_start().chars().next();
                if matches!(next, Some('}' | ']')) {
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Every object in the tree: top-level arrays, `@graph`, and objects nested as values.
fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 8 || out.len() > 500 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect(x, out, depth + 1)),
        Value::Object(m) => {
            if m.contains_key("@type") {
                out.push(v);
            }
            if let Some(g) = m.get("@graph") {
                collect(g, out, depth + 1);
            }
            for key in ["mainEntity", "hasPart", "itemListElement"] {
                if let Some(x) = m.get(key) {
                    collect(x, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn types_of(v: &Value) -> Vec<String> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

/// A string value, or the first string of an array; trimmed, never empty.
fn str_of(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_string(),
        Value::Array(a) => return a.iter().find_map(|x| str_of(Some(x))),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// The `@id`s an author value points to.
fn refs(v: &Value) -> Vec<&str> {
    match v {
        Value::Object(m) => m.get("@id").and_then(Value::as_str).into_iter().collect(),
        Value::Array(a) => a.iter().take(16).flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

fn names(v: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| names(x, out, depth + 1)),
        Value::Object(m) => {
            if let Some(n) = m.get("name") {
                names(n, out, depth + 1);
            } else if let (Some(g), Some(f)) =
                (str_of(m.get("givenName")), str_of(m.get("familyName")))
            {
                out.push(format!("{g} {f}"));
            } else if let Some(a) = m.get("author") {
                names(a, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn image(v: &Value, depth: usize) -> (Option<String>, Option<String>) {
    if depth > 4 {
        return (None, None);
    }
    match v {
        Value::String(s) => (Some(s.clone()), None),
        Value::Array(a) => a.first().map_or((None, None), |x| image(x, depth + 1)),
        Value::Object(m) => (
            str_of(m.get("url"))
                .or_else(|| str_of(m.get("contentUrl")))
                .or_else(|| str_of(m.get("@id"))),
            str_of(m.get("caption")),
        ),
        _ => (None, None),
    }
}

fn breadcrumbs(v: &Value) -> Vec<String> {
    let Some(Value::Array(items)) = v.get("itemListElement") else {
        return Vec::new();
    };
    let mut with_pos: Vec<(i64, String)> = items
        .iter()
        .filter_map(|it| {
            let name = str_of(it.get("name"))
                .or_else(|| it.get("item").and_then(|i| str_of(i.get("name"))))?;
            let pos = it
                .get("position")
                .and_then(|p| p.as_i64().or_else(|| p.as_str()?.parse().ok()))
                .unwrap_or(0);
            Some((pos, name))
        })
        .collect();
    with_pos.sort_by_key(|(p, _)| *p);
    with_pos.into_iter().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn graph_with_nested_author() {
        let j = parse(&[r#"{"@context":"https://schema.org","@graph":[{"@type":"WebPage","name":"x"},
            {"@type":"NewsArticle","headline":"H","author":{"@type":"Person","name":"Jane Doe"},
             "datePublished":"2025-01-02T03:04:05+01:00","articleSection":["World","Europe"],
             "image":[{"@type":"ImageObject","url":"https://e.x/i.jpg","caption":"Cap"}]},
            {"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":2,"name":"World"},{"@type":"ListItem","position":1,"name":"Home"}]}]}"#.to_string()]);
        assert!(j.is_article);
        assert_eq!(j.headline.as_deref(), Some("H"));
        assert_eq!(j.authors, vec!["Jane Doe"]);
        assert_eq!(j.section.as_deref(), Some("World"));
        assert_eq!(j.image.as_deref(), Some("https://e.x/i.jpg"));
        assert_eq!(j.image_caption.as_deref(), Some("Cap"));
        assert_eq!(j.breadcrumbs, vec!["Home", "World"]);
    }

    #[test]
    fn top_level_array_and_author_list() {
        let j = parse(&[r#"[{"@type":"Organization","name":"O"},{"@type":["Article","NewsArticle"],"headline":"T",
            "author":[{"@type":"Person","name":"A B"},"C D",{"@type":"Person","givenName":"E","familyName":"F"}]}]"#.to_string()]);
        assert!(j.is_article);
        assert_eq!(j.authors, vec!["A B", "C D", "E F"]);
    }

    #[test]
    fn trailing_commas_and_raw_newlines_are_tolerated() {
        let j = parse(&["{\"@type\":\"NewsArticle\",\"headline\":\"Line one\nline two\",\n \"keywords\":[\"a\", \"b\", ],\n \"datePublished\":\"2024-05-06\",}".to_string()]);
        assert!(j.is_article);
        assert_eq!(j.headline.as_deref(), Some("Line one line two"));
        assert_eq!(j.keywords, vec!["a", "b"]);
        assert_eq!(j.published.as_deref(), Some("2024-05-06"));
    }

    #[test]
    fn page_dates_when_the_article_has_none() {
        let j = parse(&[r#"{"@graph":[{"@type":"WebPage","datePublished":"2018-04-18T14:39:09+02:00","dateModified":"2019-01-01T00:00:00Z"},
            {"@type":"Article","headline":"H"}]}"#.to_string(),
            r#"{"@type":"ClaimReview","datePublished":"2020-01-01"}"#.to_string()]);
        assert_eq!(j.published.as_deref(), Some("2018-04-18T14:39:09+02:00"));
        assert_eq!(j.modified.as_deref(), Some("2019-01-01T00:00:00Z"));
        let k = parse(&[r#"{"@type":"ClaimReview","datePublished":"2020-01-01"}"#.to_string()]);
        assert!(!k.is_article);
        assert_eq!(k.published.as_deref(), Some("2020-01-01"));
        let m = parse(&[r#"{"@type":"MedicalWebPage","datePublished":"2020-01-01","author":{"@type":"Person","name":"Ann Lee, MS, RD"}}"#.to_string()]);
        assert_eq!(m.authors, vec!["Ann Lee, MS, RD"]);
    }

    #[test]
    fn broken_json_is_ignored() {
        let j = parse(&["{not json".to_string(), String::new()]);
        assert!(!j.is_article);
    }
}

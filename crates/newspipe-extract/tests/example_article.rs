//! The example article (a reconstructed Kyiv Independent story): every expected field, the exact
//! body, and none of the strings that must never reach the body.

use newspipe_extract::extract;
use serde_json::Value;

fn load() -> (String, Value) {
    // The fixture lives once, in the repository's tests/data, shared with the end-to-end tests.
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/example-article");
    let html = std::fs::read_to_string(dir.join("page.html")).expect("page.html");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
    )
    .expect("json");
    (html, expected)
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

#[test]
fn example_article_fields_and_body() {
    let (html, exp) = load();
    let url = url::Url::parse(s(&exp, "url").unwrap()).unwrap();
    let ex = extract(&html, Some(&url));
    let a = &ex.article;
    assert_eq!(ex.is_article, exp["is_article"].as_bool().unwrap());
    assert_eq!(a.title.as_deref(), s(&exp, "title"));
    let authors: Vec<&str> = exp["authors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(a.authors, authors);
    assert_eq!(a.section.as_deref(), s(&exp, "section"));
    // The expected file gives the instant in UTC; the article keeps the page's offset.
    let fmt = |d: Option<chrono::DateTime<chrono::FixedOffset>>| {
        d.map(|d| {
            d.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        })
    };
    assert_eq!(fmt(a.published_at).as_deref(), s(&exp, "published_at"));
    assert_eq!(fmt(a.modified_at).as_deref(), s(&exp, "modified_at"));
    assert_eq!(a.site_name.as_deref(), s(&exp, "site_name"));
    assert_eq!(a.language.as_deref(), s(&exp, "language"));
    assert_eq!(a.canonical_url.as_deref(), s(&exp, "canonical_url"));
    assert_eq!(a.lead_image_url.as_deref(), s(&exp, "lead_image_url"));
    assert_eq!(
        a.lead_image_caption.as_deref(),
        s(&exp, "lead_image_caption")
    );
    assert_eq!(a.body, s(&exp, "body").unwrap());
    assert_eq!(a.word_count as usize, a.body.split_whitespace().count());
    for bad in exp["must_not_contain"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
    {
        assert!(!a.body.contains(bad), "body contains {bad:?}");
    }
}

#[test]
fn example_article_links_are_absolute_and_unique() {
    let (html, exp) = load();
    let url = url::Url::parse(s(&exp, "url").unwrap()).unwrap();
    let ex = extract(&html, Some(&url));
    assert!(
        ex.links
            .iter()
            .any(|l| l.as_str() == "https://kyivindependent.com/tag/europe/")
    );
    assert!(
        ex.links
            .iter()
            .all(|l| l.fragment().is_none() && matches!(l.scheme(), "http" | "https"))
    );
    let mut seen = std::collections::HashSet::new();
    assert!(ex.links.iter().all(|l| seen.insert(l.as_str().to_string())));
}

#[test]
fn example_article_survives_truncation() {
    let (html, _) = load();
    for cut in [0, 1, 100, 2000, 5000, html.len() / 2] {
        let mut end = cut.min(html.len());
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        let _ = extract(&html[..end], None);
    }
}

//! Page kind and robustness on small fixtures: index-like pages are not articles, story-like
//! pages are, and oversized or hostile input is handled without panicking.

use newspipe_extract::{MAX_HTML_BYTES, extract};

fn story_html() -> String {
    let para = "The council voted on Tuesday to extend the programme, which supporters say has cut \
                waiting times, while critics argue the cost has risen faster than expected.";
    let body: String = (0..8)
        .map(|i| format!("<p>{para} Point {i}.</p>\n"))
        .collect();
    format!(
        r#"<!doctype html><html lang="en"><head><title>Council extends programme | Daily Example</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Daily Example">
<meta name="author" content="By Jane Doe and John Smith | Reuters">
<meta property="article:published_time" content="2025-03-04T10:00:00+01:00"></head>
<body><nav><a href="/world/">World</a><a href="/business/">Business</a></nav>
<article><h1>Council extends programme</h1><div class="article-body">{body}</div>
<div class="newsletter-signup"><p>Sign up for our newsletter to get the best stories every morning in your inbox.</p></div>
</article><footer><a href="/about/">About</a></footer></body></html>"#
    )
}

fn index_html() -> String {
    let cards: String = (0..20)
        .map(|i| format!(r#"<li class="card"><a href="/world/2025/03/04/story-number-{i}/">Story number {i} headline about events</a><p class="dek">A short teaser.</p></li>"#))
        .collect();
    format!(
        r#"<html><head><title>World | Daily Example</title><meta property="og:type" content="website"></head>
<body><h1>World</h1><ul class="list">{cards}</ul></body></html>"#
    )
}

#[test]
fn story_is_article_with_clean_fields() {
    let url = url::Url::parse("https://daily.example/world/2025/03/04/council-extends-programme/")
        .unwrap();
    let ex = extract(&story_html(), Some(&url));
    assert!(ex.is_article);
    assert_eq!(
        ex.article.title.as_deref(),
        Some("Council extends programme")
    );
    assert_eq!(ex.article.authors, vec!["Jane Doe", "John Smith"]);
    assert_eq!(
        ex.article.published_at.map(|d| d.to_rfc3339()),
        Some("2025-03-04T10:00:00+01:00".to_string())
    );
    assert_eq!(ex.article.body.split("\n\n").count(), 8);
    assert!(!ex.article.body.contains("newsletter"));
    assert_eq!(ex.article.language.as_deref(), Some("en"));
    assert!(
        ex.links
            .iter()
            .any(|l| l.as_str() == "https://daily.example/about/")
    );
}

#[test]
fn index_pages_are_not_articles() {
    for path in [
        "/",
        "/section/world/",
        "/author/jane-doe/",
        "/tag/climate/",
        "/about/",
        "/search?q=x",
    ] {
        let url = url::Url::parse(&format!("https://daily.example{path}")).unwrap();
        let ex = extract(&index_html(), Some(&url));
        assert!(!ex.is_article, "{path} taken for an article");
        assert_eq!(ex.links.len(), 20);
    }
    // Without a URL the markup alone decides.
    assert!(!extract(&index_html(), None).is_article);
}

#[test]
fn oversized_input_is_truncated_not_rejected() {
    let story = story_html();
    let mut big = String::with_capacity(MAX_HTML_BYTES + story.len() + 16);
    big.push_str(&story);
    big.push_str("<!-- ");
    while big.len() <= MAX_HTML_BYTES + 1000 {
        big.push_str("é filler filler filler ");
    }
    big.push_str("--><p>beyond the cap</p>");
    let ex = extract(&big, None);
    assert!(ex.article.body.starts_with("The council voted"));
    assert!(!ex.article.body.contains("beyond the cap"));
}

#[test]
fn hostile_markup_does_not_panic() {
    let deep = "<div>".repeat(100_000) + "text" + &"</div>".repeat(10);
    let cases = [
        deep.as_str(),
        "<p>a<b>b<i>c</p>d</b>e</i>",
        "<script>never closed",
        "<!-- never closed",
        "<a href='unterminated",
        "<table><tr><td>x<td>y</table>",
        "&#xFFFFFFFF; &#0; &amp &",
        "<script type=application/ld+json>{\"@type\":\"NewsArticle\",\"author\":[[[[[[[[[[]]]]]]]]]]}</script>",
        "\u{feff}<html lang=\"\"><meta property=\"article:published_time\" content=\"9999-99-99\">",
    ];
    for c in cases {
        let _ = extract(c, None);
        let _ = extract(c, url::Url::parse("https://x.example/a/b").ok().as_ref());
    }
}

/// An older plain page: no JSON-LD, no OpenGraph, no date markup, one story.
fn plain_story_html() -> String {
    r#"<html><head><title>Harbour wall repaired</title></head><body>
<table><tr><td><a href="/">Home</a> | <a href="/news.php">News</a></td></tr></table>
<h2>Harbour wall repaired</h2>
<p>Work on the old harbour wall ended last week, two months later than planned, after storms in
the spring washed away part of the scaffolding and the contractor had to order new stone.</p>
<p>The mayor thanked the fishermen for their patience and said the quay would reopen to boats
on Monday, while the car park next to it stays closed until the end of the month.</p>
</body></html>"#
        .to_string()
}

#[test]
fn plain_stories_are_kept_with_the_reason() {
    let url = url::Url::parse("https://village.example/news.php?id=231").unwrap();
    let ex = extract(&plain_story_html(), Some(&url));
    assert!(ex.is_article, "{}", ex.kind_reason);
    assert_eq!(ex.kind_reason, newspipe_extract::KindReason::StoryText);
    // The index page's body and reason are there even though it is not an article.
    let ex = extract(&index_html(), None);
    assert!(!ex.is_article);
    assert!(!ex.kind_reason.to_string().is_empty());
}

#[test]
fn a_story_inside_an_unclosed_aside_is_found() {
    // The sidebar's `<aside>` is never closed, so the strict pass drops everything after it.
    let html = r#"<html><head><meta property="og:type" content="article"></head><body>
<aside class="promo"><p>Subscribe now</p>
<div class="story"><h1>Harbour wall repaired</h1>
<p>Work on the old harbour wall ended last week, two months later than planned, after storms in
the spring washed away part of the scaffolding and the contractor had to order new stone.</p>
<p>The mayor thanked the fishermen for their patience and said the quay would reopen to boats
on Monday, while the car park next to it stays closed until the end of the month.</p></div>
</body></html>"#;
    let ex = extract(html, None);
    assert!(
        ex.article.body.contains("The mayor thanked"),
        "{:?}",
        ex.article.body
    );
    assert!(ex.is_article, "{}", ex.kind_reason);
}

#[test]
fn a_head_never_closed_does_not_swallow_the_page() {
    // No `</head>` and no `<body>`: the first body element ends the head, as in browsers.
    let html = r#"<!DOCTYPE html><html><head><title>Harbour wall repaired</title>
<meta property="og:type" content="article">
<div class="story"><h1>Harbour wall repaired</h1><span class="date">07.11.2023</span>
<p>Work on the old harbour wall ended last week, two months later than planned, after storms in
the spring washed away part of the scaffolding and the contractor had to order new stone.</p></div>
</html>"#;
    let ex = extract(html, None);
    assert!(
        ex.article.body.contains("harbour wall ended"),
        "{:?}",
        ex.article.body
    );
    assert_eq!(
        ex.article.published_at.map(|d| d.to_rfc3339()).as_deref(),
        Some("2023-11-07T00:00:00+00:00")
    );
}

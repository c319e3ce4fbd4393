//! The input cap: a page past `MAX_HTML_BYTES` is cut there, so text beyond the cap never
//! reaches the article, even text inside the very element the body is taken from.

use newspipe_extract::{MAX_HTML_BYTES, extract};

const MARKER: &str = "Marker paragraph beyond the cap";

/// A story whose `<div class="article-body">` holds a comment of `filler` bytes between its
/// paragraphs and one last paragraph, `MARKER`, after it: the marker sits inside the selected
/// body, and only the comment's length decides whether it lies past the cap.
fn story_with_filler(filler: usize) -> String {
    let para = "The council voted on Tuesday to extend the programme, which supporters say has cut \
                waiting times, while critics argue the cost has risen faster than expected.";
    let paras: String = (0..8)
        .map(|i| format!("<p>{para} Point {i}.</p>\n"))
        .collect();
    let mut html = format!(
        r#"<!doctype html><html lang="en"><head><title>Council extends programme | Daily Example</title>
<meta property="og:type" content="article"></head>
<body><article><h1>Council extends programme</h1><div class="article-body">{paras}<!-- "#
    );
    // Multi-byte characters, so the cut must also find a char boundary.
    let unit = "é filler filler filler ";
    html.reserve(filler + 512);
    while html.len() + unit.len() <= filler {
        html.push_str(unit);
    }
    html.push_str(&format!(
        "--><p>{MARKER}.</p></div></article></body></html>"
    ));
    html
}

#[test]
fn a_page_under_the_cap_keeps_the_marker_in_its_body() {
    // Control: the marker is part of the body when the page fits, so the next test's absence
    // of it is the cap's doing, not the body selection's.
    let html = story_with_filler(MAX_HTML_BYTES - 4096);
    assert!(html.len() <= MAX_HTML_BYTES);
    let ex = extract(&html, None);
    assert!(ex.is_article, "{:?}", ex.kind_reason);
    assert!(ex.article.body.starts_with("The council voted"));
    assert!(
        ex.article.body.contains(MARKER),
        "body: …{}",
        &ex.article.body[ex.article.body.len().saturating_sub(200)..]
    );
}

#[test]
fn a_page_over_the_cap_is_cut_inside_its_body_and_still_extracted() {
    let html = story_with_filler(MAX_HTML_BYTES + 4096);
    assert!(html.len() > MAX_HTML_BYTES);
    let ex = extract(&html, None);
    assert!(ex.is_article, "{:?}", ex.kind_reason);
    assert!(ex.article.body.starts_with("The council voted"));
    assert!(
        ex.article.body.contains("Point 7."),
        "the paragraphs before the cut are kept"
    );
    assert!(
        !ex.article.body.contains(MARKER),
        "text past the {MAX_HTML_BYTES}-byte cap reached the body"
    );
}

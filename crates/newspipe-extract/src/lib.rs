//! HTML → article fields and outgoing links. Pure (no IO, no global state) and total: any input
//! yields an `Extraction`, never a panic.
//!
//! Pipeline: one streaming pass (`prepass` over `tokenizer`) reads head metadata, JSON-LD and links,
//! skips scripts/styles/SVG/comments/navigation and builds a small arena DOM (`dom`) with HTML's
//! implied-end rules; one walk (`walk`) turns it into text blocks and in-page metadata; `body`
//! picks the story and `metadata` reconciles the fields. html5ever is not used: at ~150 MB/s
//! it alone would hold extraction under 1,000 pages/s.

mod authors;
mod body;
mod classes;
mod dates;
mod dom;
mod entities;
mod jsonld;
mod kind;
mod links;
mod metadata;
mod prepass;
mod tokenizer;
mod walk;

pub use kind::KindReason;
pub use newspipe_model::Article;

/// What one page yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    /// One story (to archive), not an index, home, author or service page.
    pub is_article: bool,
    /// Why `is_article` is what it is; `Display` gives a sentence for people.
    pub kind_reason: KindReason,
    /// The fields found, whatever the kind: `body` holds the text even when `is_article` is false.
    pub article: Article,
    pub links: Vec<url::Url>,
    /// Feeds the page announces (`<link rel="alternate">` of an RSS, Atom or JSON Feed type),
    /// absolute and normalised with `newspipe_model::normalize`, deduplicated, in page order.
    pub feeds: Vec<url::Url>,
}

/// A strict-pass body shorter than this (in words) triggers the lenient pass.
const LENIENT_BELOW: usize = 40;

/// Input longer than this is truncated (at a char boundary) before parsing.
pub const MAX_HTML_BYTES: usize = 10 * 1024 * 1024;

/// Extracts the article fields and links of one page.
///
/// `page_url` resolves relative links/images and is the fallback canonical URL. Links are
/// absolute, normalised with `newspipe_model::normalize_link` (drops fragments, `mailto:`,
/// `javascript:`), deduplicated, in page order.
pub fn extract(html: &str, page_url: Option<&url::Url>) -> Extraction {
    extract_at(html, page_url, None)
}

/// [`extract`], with the time the page was fetched: relative dates ("3 hours ago", "gestern")
/// are read against it, in its offset.
pub fn extract_at(
    html: &str,
    page_url: Option<&url::Url>,
    fetched_at: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Extraction {
    let html = truncate(html, MAX_HTML_BYTES);
    let mut pre = prepass::run(html);
    let ld = jsonld::parse(&pre.jsonld);
    let metas = metadata::Metas(&pre.metas);
    let w = walk::walk(&pre.dom);
    pre.dom = dom::Dom::default();

    let mut body = body::select(&w);
    // No story where the strict pass looked: its container may sit in an unclosed `<aside>`, a
    // `<footer>` or a hidden node. A second, lenient pass over the (rare) page costs less than
    // losing the story. It wins with twice the words, or when it keeps all the strict pass found
    // and adds prose to it.
    let mut lenient: Option<(prepass::Prepass, walk::Walk)> = None;
    if body.split_whitespace().count() < LENIENT_BELOW {
        let (pre2, w2) = lenient_pass(html);
        let body2 = body::select(&w2);
        if body2.split_whitespace().count() > 2 * body.split_whitespace().count().max(10)
            || widens(&body, &body2)
        {
            body = body2;
        }
        lenient = Some((pre2, w2));
    }
    // JSON-LD articleBody is often truncated, so it only stands in when the DOM gave little.
    if let Some(ldb) = ld.body.as_deref() {
        let ld_words = ldb.split_whitespace().count();
        if ld_words > 50 && body.split_whitespace().count() * 2 < ld_words {
            body = ldb
                .lines()
                .map(walk::collapse)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
        }
    }

    let site_name = metadata::site_name(&ld, &metas);
    let canonical_url = metadata::canonical(&pre, &ld, &metas, page_url);
    let host = canonical_url
        .as_deref()
        .and_then(|c| url::Url::parse(c).ok())
        .and_then(|u| u.host_str().map(str::to_string));
    let title = metadata::title(&ld, &metas, &w, &pre, site_name.as_deref(), host.as_deref());
    let language = metadata::language(&pre, &ld, &metas, &body);
    let date_cx = metadata::DateCtx {
        order: dates::Order::for_page(language.as_deref(), host.as_deref()),
        url_path: page_url.map(url::Url::path),
        fetched_at,
    };
    let published_at = metadata::published(&ld, &metas, &w, &pre, &date_cx)
        // The date stamp may sit in an aside or footer the strict pass dropped.
        .or_else(|| {
            let (pre2, w2) = lenient.get_or_insert_with(|| lenient_pass(html));
            metadata::published(&ld, &metas, w2, pre2, &date_cx)
        })
        .or_else(|| dates::most_frequent_iso(html).and_then(dates::day))
        .or_else(|| metadata::described(&metas, date_cx.order));
    drop(lenient);
    let word_count = u32::try_from(body.split_whitespace().count()).unwrap_or(u32::MAX);
    let (paragraphs, longest_paragraph, kind_words) = paragraph_words(&body);
    let og_type = metas.get(&["og:type"]);
    let (is_article, kind_reason) = kind::decide(&kind::Signals {
        url: page_url,
        og_type: og_type.as_deref(),
        ld_article: ld.is_article,
        ld_listing: ld.is_listing,
        has_published: published_at.is_some(),
        body_words: kind_words,
        body_paragraphs: paragraphs,
        longest_paragraph,
    });

    let article = Article {
        section: metadata::section(
            &ld,
            &metas,
            &w,
            title.as_deref(),
            site_name.as_deref(),
            host.as_deref(),
        ),
        authors: metadata::authors(
            &ld,
            &metas,
            &w,
            &pre,
            page_url.map(url::Url::path),
            site_name.as_deref(),
            host.as_deref(),
        ),
        modified_at: metadata::modified(&ld, &metas, &w),
        language,
        canonical_url,
        lead_image_url: metadata::lead_image(&ld, &metas, &w, page_url),
        lead_image_caption: metadata::lead_caption(&ld, &w),
        description: metadata::description(&ld, &metas),
        tags: metadata::tags(&ld, &metas),
        title,
        published_at,
        site_name,
        body,
        word_count,
    };
    Extraction {
        is_article,
        kind_reason,
        article,
        links: links::collect(page_url, &pre.hrefs),
        feeds: links::feeds(page_url, &pre.feeds),
    }
}

/// The second pass over a page whose story or date the strict pass did not find: `nav`,
/// `aside`, `footer` and hidden nodes are kept and weak class words are not trusted.
fn lenient_pass(html: &str) -> (prepass::Prepass, walk::Walk) {
    let pre = prepass::run_with(html, true);
    let w = walk::walk_with(&pre.dom, true);
    (pre, w)
}

/// Whether the lenient pass's body keeps every paragraph the strict pass found and adds half as
/// much prose again: the same story, with a part the strict pass dropped (a lead in a box the
/// strict rules call furniture). Only the strict pass's headings made it look long enough.
fn widens(strict: &str, lenient: &str) -> bool {
    let (p1, p2) = (prose_words(strict), prose_words(lenient));
    p1 > 0
        && 2 * p2 >= 3 * p1
        && strict
            .split("\n\n")
            .all(|p| lenient.split("\n\n").any(|q| q == p))
}

/// Words in paragraphs of at least 8 words: running text, not headings or labels.
fn prose_words(body: &str) -> usize {
    body.split("\n\n")
        .map(|p| p.split_whitespace().count())
        .filter(|&n| n >= 8)
        .sum()
}

/// Paragraphs of at least 8 words, the longest paragraph's words and all words, for the
/// page-kind decision. Lines a `<br>` broke inside a sentence (hard-wrapped text: the line
/// ends without a sentence end and the next opens in lowercase) count as one paragraph.
fn paragraph_words(body: &str) -> (usize, usize, usize) {
    let (mut n, mut longest, mut all, mut run) = (0, 0, 0, 0);
    let mut open = false;
    for p in body.split("\n\n") {
        let words = text_words(p);
        let continues = open && p.chars().next().is_some_and(char::is_lowercase);
        if !continues {
            n += usize::from(run >= 8);
            longest = longest.max(run);
            run = 0;
        }
        run += words;
        all += words;
        open = !p
            .trim_end()
            .ends_with(['.', '!', '?', ':', ';', '"', '”', '»', ')', '…', '。']);
    }
    n += usize::from(run >= 8);
    (n, longest.max(run), all)
}

/// Words for the page-kind decision: whitespace-separated words, plus one per two CJK
/// characters, since Chinese and Japanese text has no spaces to count.
fn text_words(s: &str) -> usize {
    let cjk = s
        .chars()
        .filter(|&c| {
            matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
        })
        .count();
    s.split_whitespace().count() + cjk / 2
}

/// Cuts `s` to at most `max` bytes without splitting a character.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::{extract, truncate};

    #[test]
    fn cjk_text_counts_as_words() {
        assert_eq!(super::text_words("two words"), 2);
        // 22 ideographs with no space: about eleven words, not one.
        assert_eq!(
            super::text_words("北京市政府周二宣布将延长夜间公交服务一年时间"),
            12
        );
    }

    #[test]
    fn hard_wrapped_lines_count_as_one_paragraph() {
        // Lines a `<br>` broke mid-sentence: one paragraph of 16 words.
        let wrapped =
            "Advice came to Emacs Lisp in the summer\n\nof 1994, when a module shipped\n\nwith it.";
        assert_eq!(super::paragraph_words(wrapped), (1, 16, 16));
        // A line that ends a sentence, or a next line in capitals, starts a new paragraph.
        let lines = "Advice came to Emacs Lisp in 1994.\n\nthen it spread\n\nTo other editors too";
        assert_eq!(super::paragraph_words(lines), (0, 7, 14));
    }

    #[test]
    fn truncates_at_char_boundary() {
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn empty_and_garbage_do_not_panic() {
        for s in [
            "",
            "<",
            "<html",
            "\u{0}\u{ffff}",
            "<script>",
            "<!--",
            "<svg><p>x",
        ] {
            let _ = extract(s, None);
        }
    }

    fn page(head: &str, body: &str) -> super::Article {
        let html = format!("<html><head>{head}</head><body>{body}</body></html>");
        extract(&html, None).article
    }

    const STORY: &str = "<article><p>Officials said on Tuesday that the bridge would stay closed \
        for repairs until the end of the month, citing damage found during an inspection.</p></article>";

    #[test]
    fn title_prefers_the_bare_headline_over_a_section_prefix() {
        let a = page(
            r#"<meta property="og:title" content="Opinion | The Bridge Will Stay Closed">"#,
            &format!("<h1>The Bridge Will Stay Closed</h1>{STORY}"),
        );
        assert_eq!(a.title.as_deref(), Some("The Bridge Will Stay Closed"));
        let a = page(
            "<title>The Bridge Will Stay Closed :: Metro :: Daily Planet</title>",
            &format!("<h1>The Bridge Will Stay Closed</h1>{STORY}"),
        );
        assert_eq!(a.title.as_deref(), Some("The Bridge Will Stay Closed"));
        // A section prefix is dropped when the page names that section.
        let a = page(
            r#"<meta property="og:title" content="Metro | The Bridge Will Stay Closed">
               <meta property="article:section" content="Metro">"#,
            STORY,
        );
        assert_eq!(a.title.as_deref(), Some("The Bridge Will Stay Closed"));
    }

    #[test]
    fn title_keeps_colons_and_drops_site_suffixes() {
        let a = page(
            r#"<meta property="og:title" content="Fact Check: Is The Bridge Really Closed?">"#,
            STORY,
        );
        assert_eq!(
            a.title.as_deref(),
            Some("Fact Check: Is The Bridge Really Closed?")
        );
        let a = page(
            "<title>The bridge will stay closed - Dailyplanet.com</title>",
            STORY,
        );
        assert_eq!(a.title.as_deref(), Some("The bridge will stay closed"));
        let a = page(
            r#"<title>The bridge will stay closed &amp;#8211; for now - The Planet</title>
               <meta property="og:site_name" content="The Planet">"#,
            STORY,
        );
        assert_eq!(
            a.title.as_deref(),
            Some("The bridge will stay closed \u{2013} for now")
        );
    }

    #[test]
    fn title_is_not_the_site_name() {
        // A logo `<h1>` before the story's own title.
        let a = page(
            "<title>Bridge stays closed - Planet</title>",
            &format!(
                r#"<div id="site-title"><a href="/"><h1>Daily Planet News</h1></a></div>{STORY}"#
            ),
        );
        assert_eq!(a.title.as_deref(), Some("Bridge stays closed"));
        let a = page(
            "<title>Bridge stays closed for a month - Planet</title>",
            &format!(r#"<div id="header"><a href="/"><h1>Planet Daily</h1></a></div>{STORY}"#),
        );
        assert_eq!(a.title.as_deref(), Some("Bridge stays closed for a month"));
        let a = page(
            r#"<meta property="og:title" content="Bridge stays closed - The Planet Blog">
               <meta property="og:site_name" content="The Planet Blog">"#,
            &format!(r#"<h1 class="title">The Planet Blog</h1>{STORY}"#),
        );
        assert_eq!(a.title.as_deref(), Some("Bridge stays closed"));
        let a = page(
            r#"<meta property="og:title" content="The Planet">
               <meta property="og:site_name" content="The Planet">"#,
            &format!("<h1>Bridge stays closed for a month</h1>{STORY}"),
        );
        assert_eq!(a.title.as_deref(), Some("Bridge stays closed for a month"));
    }

    #[test]
    fn authors_drop_site_and_agency_next_to_people() {
        let a = page(
            r#"<meta property="og:site_name" content="Daily Planet">
               <meta name="author" content="Daily Planet">"#,
            &format!(r#"<div class="byline">By LOIS LANE and Clark Kent, Reuters</div>{STORY}"#),
        );
        assert_eq!(a.authors, vec!["Lois Lane", "Clark Kent"]);
        // An agency alone is kept.
        let a = page(r#"<meta name="author" content="Reuters">"#, STORY);
        assert_eq!(a.authors, vec!["Reuters"]);
        let a = page(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"Bridge",
               "author":[{"@type":"Organization","name":"AFP"},{"@type":"Person","name":"Jimmy Olsen"}]}</script>"#,
            STORY,
        );
        assert_eq!(a.authors, vec!["Jimmy Olsen"]);
    }

    #[test]
    fn published_from_any_meta_key_and_format() {
        let d = |a: super::Article| a.published_at.map(|d| d.to_rfc3339());
        // One `<meta>` with both a property and a (multi-token) itemprop.
        let a = page(
            r#"<meta property="article:published" itemprop="datePublished dateCreated" content="2019-11-19T11:00:09.000Z">"#,
            STORY,
        );
        assert_eq!(d(a).as_deref(), Some("2019-11-19T11:00:09+00:00"));
        // An unparsable first key does not hide a later one.
        let a = page(
            r#"<meta property="article:published_time" content="sometime">
               <meta name="parsely-pub-date" content="2019-11-19T08:00:00-05:00">"#,
            STORY,
        );
        // The page's offset is kept.
        assert_eq!(d(a).as_deref(), Some("2019-11-19T08:00:00-05:00"));
        // A bare day in JSON-LD gives way to the same day with a time in meta.
        let a = page(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"B","datePublished":"2019-11-18"}</script>
               <meta name="sailthru.date" content="2019-11-18 20:28:55">"#,
            STORY,
        );
        assert_eq!(d(a).as_deref(), Some("2019-11-18T20:28:55+00:00"));
        let a = page(
            "",
            r#"<article><div class="byline"><time datetime="2020-02-03T04:05:06Z">Feb 3</time></div>
               <p>Officials said on Tuesday that the bridge would stay closed for repairs.</p></article>"#,
        );
        assert_eq!(d(a).as_deref(), Some("2020-02-03T04:05:06+00:00"));
        // Only a printed date in the byline.
        let a = page(
            "",
            &format!(
                r#"<div class="byline"><span class="article-publish-date">Posted: March 4, 2021, 9:02 AM</span></div>{STORY}"#
            ),
        );
        assert_eq!(d(a).as_deref(), Some("2021-03-04T09:02:00+00:00"));
    }

    #[test]
    fn section_skips_placeholders_share_links_and_the_site() {
        let a = page(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"B","articleSection":"post"}</script>
               <meta property="article:section" content="Politics - Elections">"#,
            STORY,
        );
        assert_eq!(a.section.as_deref(), Some("Politics"));
        let a = page(
            r#"<meta property="og:site_name" content="Planet">"#,
            &format!(
                r#"<div class="breadcrumb"><a href="/">Home</a><a href="/metro">Metro</a><a href="/">Planet</a></div>
                   <div class="js-breadcrumb"><a href="/">Share</a><a href="/">Twitter</a></div>{STORY}"#
            ),
        );
        assert_eq!(a.section.as_deref(), Some("Metro"));
        let a = page(
            "",
            &format!(r#"<article class="url-breadcrumb"><a href="/">Apps</a>{STORY}</article>"#),
        );
        assert_eq!(a.section, None);
    }
}

//! Publication dates on small hand-written pages, one per rule: where the date hides (meta keys,
//! JSON-LD of any type, `<time>` with and without `datetime`, dropped boilerplate, printed stamps,
//! the URL, the raw page), which date wins (the story's over a teaser's), and which day it is
//! (the page's offset kept).

use newspipe_extract::{extract, extract_at};

/// Two paragraphs of prose so the page reads as a story.
const PROSE: &str = "<p>The regional council agreed on Tuesday evening to extend the night bus \
    service for another year, after a long debate about its cost and the number of riders.</p>\
    <p>Supporters said the buses had made the town centre safer at night, while critics asked \
    for a cheaper plan and a review of the routes before the next budget is drawn up.</p>";

/// Every page carries a decoy day in a script, twice, so that only the rule under test (not
/// the raw-page fallback) can find the right one.
fn page(lang: &str, head: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="{lang}"><head><title>Night buses stay</title>{head}
<script>var build = "2001-01-01", cache = "2001-01-01";</script></head>
<body>{body}</body></html>"#
    )
}

fn published(html: &str, url: Option<&str>) -> Option<String> {
    let u = url.map(|u| url::Url::parse(u).unwrap());
    extract(html, u.as_ref())
        .article
        .published_at
        .map(|d| d.to_rfc3339())
}

fn day(html: &str, url: Option<&str>) -> Option<String> {
    published(html, url).map(|d| d[..10].to_string())
}

#[test]
fn meta_keys_beyond_opengraph() {
    for key in [
        r#"name="DC.date.issued""#,
        r#"name="dc.date""#,
        r#"name="bt:pubDate""#,
        r#"itemprop="uploadDate""#,
        r#"name="citation_date""#,
        r#"name="citation_online_date""#,
    ] {
        let html = page(
            "en",
            &format!(r#"<meta {key} content="2018-06-07">"#),
            &format!("<article>{PROSE}</article>"),
        );
        assert_eq!(day(&html, None).as_deref(), Some("2018-06-07"), "{key}");
    }
}

#[test]
fn json_ld_of_any_type_graph_and_glued_zones() {
    // A video page: no article object, the `VideoObject` dates it.
    let html = page(
        "en",
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"VideoObject",
           "name":"Night buses","uploadDate":"2020-05-06T08:00:00+02:00"}</script>"#,
        PROSE,
    );
    assert_eq!(
        published(&html, None).as_deref(),
        Some("2020-05-06T08:00:00+02:00")
    );
    // `@graph` with a zone name glued to the time.
    let html = page(
        "en",
        r#"<script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"Town"},
           {"@type":"BlogPosting","headline":"Night buses","datePublished":"2021-04-06T16:02:50CDT"}]}</script>"#,
        PROSE,
    );
    assert_eq!(
        published(&html, None).as_deref(),
        Some("2021-04-06T16:02:50-05:00")
    );
}

#[test]
fn the_page_offset_keeps_the_local_day() {
    let html = page(
        "de",
        r#"<meta property="article:published_time" content="2019-10-16T00:30:00+02:00">"#,
        PROSE,
    );
    // In UTC this is the 15th; the publisher meant the 16th.
    assert_eq!(
        published(&html, None).as_deref(),
        Some("2019-10-16T00:30:00+02:00")
    );
}

#[test]
fn a_utc_stamp_is_shown_on_the_day_of_the_url() {
    let html = page(
        "en",
        r#"<meta property="article:published_time" content="2023-11-09T01:09:55Z">"#,
        PROSE,
    );
    let url = "https://paper.example/2023/11/08/night-buses-stay/";
    assert_eq!(
        published(&html, Some(url)).as_deref(),
        Some("2023-11-08T23:09:55-02:00")
    );
}

#[test]
fn time_without_datetime_and_in_dropped_footers() {
    let html = page(
        "en",
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><time class="posted">March 4, 2021</time>{PROSE}</article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2021-03-04"));
    // WordPress puts the date in the entry footer, a subtree the first pass drops.
    let html = page(
        "en",
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<footer class="entry-footer"><span class="posted-on">
               <time class="entry-date published" datetime="2017-08-08T10:00:00+00:00">August 8, 2017</time>
               </span></footer></article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2017-08-08"));
}

#[test]
fn printed_stamps_by_page_language() {
    let stamp = |lang: &str, text: &str| {
        page(
            lang,
            "",
            &format!(
                r#"<article><h1>Night buses stay</h1><div class="info">{text}</div>{PROSE}</article>"#
            ),
        )
    };
    assert_eq!(
        day(&stamp("de", "Veröffentlicht am 10.11.2021"), None).as_deref(),
        Some("2021-11-10")
    );
    assert_eq!(
        day(&stamp("en", "08/12/2017"), None).as_deref(),
        Some("2017-08-12")
    );
    assert_eq!(
        day(&stamp("fr", "08/12/2017"), None).as_deref(),
        Some("2017-12-08")
    );
    assert_eq!(
        day(&stamp("es", "Publicado el 5 de noviembre de 2019"), None).as_deref(),
        Some("2019-11-05")
    );
    assert_eq!(
        day(&stamp("ja", "2020年3月5日 10:00"), None).as_deref(),
        Some("2020-03-05")
    );
}

#[test]
fn a_stamp_opening_a_paragraph() {
    let html = page(
        "de",
        "",
        "<article><h1>Night buses stay</h1><p>01.02.2022 – The regional council agreed on \
         Tuesday evening to extend the night bus service for another year, after a long debate.</p>\
         <p>Supporters said the buses had made the town centre safer at night, while critics \
         asked for a cheaper plan and a review of the routes before the next budget.</p></article>",
    );
    assert_eq!(day(&html, None).as_deref(), Some("2022-02-01"));
}

#[test]
fn the_url_path_dates_a_page_without_one() {
    let html = page("en", "", PROSE);
    assert_eq!(
        day(&html, Some("https://paper.example/2016/12/15/night-buses/")).as_deref(),
        Some("2016-12-15")
    );
    // A slug that ends in the day.
    assert_eq!(
        day(
            &html,
            Some("https://paper.example/news/night-buses-stay-20161215.html")
        )
        .as_deref(),
        Some("2016-12-15")
    );
    // An article number is no day: only the raw-page fallback (the decoy) answers.
    assert_eq!(
        day(
            &html,
            Some("https://paper.example/news/night-buses-stay-20169999")
        )
        .as_deref(),
        Some("2001-01-01")
    );
}

#[test]
fn the_story_date_beats_teasers_and_sidebars() {
    let html = page(
        "en",
        "",
        &format!(
            r#"<div class="sidebar"><h3>Latest</h3><ul><li><a href="/a">Other story</a>
               <time datetime="2024-01-09">Jan 9</time></li></ul></div>
               <div class="related-posts"><time datetime="2024-01-08">Jan 8</time></div>
               <article><h1>Night buses stay</h1><time datetime="2023-05-02T09:00:00+01:00">2 May</time>{PROSE}</article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2023-05-02"));
}

#[test]
fn the_shown_time_beats_restamped_metadata() {
    let html = page(
        "de",
        r#"<meta property="article:published_time" content="2022-01-26T14:32:06+02:00">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1><p class="meta"><time datetime="2022-01-21">21.01.2022</time></p>{PROSE}</article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2022-01-21"));
    // One day apart is a zone, not a re-stamp: the declared instant stays.
    let html = page(
        "de",
        r#"<meta property="article:published_time" content="2022-01-21T23:30:00+01:00">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1><time datetime="2022-01-22">22.01.2022</time>{PROSE}</article>"#
        ),
    );
    assert_eq!(
        published(&html, None).as_deref(),
        Some("2022-01-21T23:30:00+01:00")
    );
}

#[test]
fn a_printed_date_stamp_beats_restamped_metadata() {
    // No `<time>`: the stamp is a date-classed span, the only one on the page.
    let html = page(
        "de",
        r#"<meta property="article:published_time" content="2021-12-20T09:00:00+01:00">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1><span class="date">27.01.2022</span>{PROSE}</article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2022-01-27"));
    // A list of stamps is teasers, not the story's own: the metadata stays.
    let teasers: String = ["03.01.2022", "04.01.2022", "05.01.2022"]
        .iter()
        .map(|d| format!(r#"<li><span class="date">{d}</span> Another story</li>"#))
        .collect();
    let html = page(
        "de",
        r#"<meta property="article:published_time" content="2021-12-20T09:00:00+01:00">"#,
        &format!(r#"<article><h1>Night buses stay</h1>{PROSE}</article><ul>{teasers}</ul>"#),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2021-12-20"));
}

#[test]
fn a_labelled_publication_date_wins() {
    // The label and its date in two elements; an update label elsewhere names another day.
    let html = page(
        "de",
        r#"<meta property="article:published_time" content="2021-10-15T08:00:00+02:00">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<p>Letzte Änderung: 31.10.2021</p>
            <div><span>Erschienen am:</span><b>13.10.2021</b></div></article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2021-10-13"));
    // Without metadata, a labelled line in English.
    let html = page(
        "en",
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><p>Published on March 4, 2021</p>{PROSE}</article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2021-03-04"));
}

#[test]
fn relative_phrases_need_the_fetch_time() {
    let html = page(
        "en",
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><span class="ago">3 hours ago</span>{PROSE}</article>"#
        ),
    );
    let at = chrono::DateTime::parse_from_rfc3339("2024-03-10T01:00:00+01:00").unwrap();
    let got = extract_at(&html, None, Some(at)).article.published_at;
    assert_eq!(
        got.map(|d| d.date_naive().to_string()).as_deref(),
        Some("2024-03-09")
    );
    assert_eq!(day(&html, None).as_deref(), Some("2001-01-01"));
}

#[test]
fn the_raw_page_is_the_last_resort() {
    // The date only in a script the walk never reads, written twice.
    let html = page(
        "zh",
        "",
        &format!(
            r#"{PROSE}<script>showDate("2020/04/17 01:43:09"); track("2020-04-17", "2020-04-17");</script>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2020-04-17"));
}

/// Metadata naming another day than the story shows, for the rules where the shown stamp must
/// win.
const RESTAMPED: &str =
    r#"<meta property="article:published_time" content="2021-12-20T09:00:00+01:00">"#;

#[test]
fn layout_classes_on_wrappers_are_no_sidebar() {
    // The wrapper says where the sidebar goes; the story and its stamp are inside it (the
    // headline before it, so that only the class decides).
    for wrapper in [
        "page-wrapper blog-sidebar-position-right",
        "content has-sidebar",
        "main-layout widget-layout2",
    ] {
        let html = page(
            "de",
            RESTAMPED,
            &format!(
                r#"<h1>Night buses stay</h1><div class="{wrapper}"><article><span class="post-date">27. Januar 2022</span>{PROSE}</article></div>"#
            ),
        );
        assert_eq!(day(&html, None).as_deref(), Some("2022-01-27"), "{wrapper}");
    }
}

#[test]
fn a_sidebar_classed_wrapper_holding_the_headline_holds_the_story() {
    let html = page(
        "de",
        RESTAMPED,
        &format!(
            r#"<div class="panel-display zen-one-sidebar-second"><h1>Night buses stay</h1><span class="published-at">27.01.2022</span>{PROSE}</div>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2022-01-27"));
}

#[test]
fn embedded_posts_and_todays_date_are_not_the_story() {
    // An embedded Instagram post's `<time>` is the post's day, not the story's.
    let html = page(
        "en",
        r#"<meta property="article:published_time" content="2022-01-27T09:00:00+01:00">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<blockquote class="instagram-media"><p><a href="https://instagram.example/p/1">A post shared by Ann</a> on <time datetime="2019-04-21T23:47:18+00:00">Apr 21, 2019</time></p></blockquote></article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2022-01-27"));
    // The site header's "today" stamp does not move a UTC timestamp to its day.
    let html = page(
        "fr",
        r#"<meta property="article:published_time" content="2020-02-18T12:53:40+00:00">"#,
        &format!(
            r#"<header><div class="logo"><a href="/">La Gazette</a><span class="site-current-time">mercredi 19 février 2020</span></div></header><article><h1>Night buses stay</h1>{PROSE}</article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2020-02-18"));
}

#[test]
fn a_stamp_on_the_declared_day_confirms_it() {
    // The header's clock (a `<time>` without datetime) names another day, but the story's
    // printed stamp agrees with the metadata: the metadata stays.
    let html = page(
        "de",
        r#"<meta property="article:published_time" content="2020-04-27T17:58:19+02:00">"#,
        &format!(
            r#"<div class="top"><time>Mittwoch, 8. Juli 2020</time></div><article><h1>Night buses stay</h1><div class="publish-info">27.04.2020 - 18:50 Uhr</div>{PROSE}</article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2020-04-27"));
}

#[test]
fn a_day_first_url_segment() {
    let html = page("de", "", &format!("<article>{PROSE}</article>"));
    assert_eq!(
        day(&html, Some("https://verein.example/meldungen/29-10-2021")).as_deref(),
        Some("2021-10-29")
    );
}

#[test]
fn a_posted_on_sentence_and_the_description() {
    let html = page(
        "de",
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<p class="news"><small>Der Beitrag <a href="/2011/night-buses">Night buses stay: the council extends the service for another year</a> wurde am <nobr>3. Dezember 2011</nobr> um <nobr>23:03</nobr> Uhr gepostet und unter <a href="/c/news">News</a> abgelegt. Kommentare sind geschlossen.</small></p></article>"#
        ),
    );
    assert_eq!(day(&html, None).as_deref(), Some("2011-12-03"));
    // No date on the page but in its description.
    let html = format!(
        r#"<html lang="it"><head><title>Night buses stay</title><meta name="description" content="NIGHT BUSES STAY (Notizia del 14 Gennaio 2020)"></head><body><article>{PROSE}</article></body></html>"#
    );
    assert_eq!(day(&html, None).as_deref(), Some("2020-01-14"));
}

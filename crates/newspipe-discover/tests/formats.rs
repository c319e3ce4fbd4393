//! Fixture tests: each format and each trick (namespaces, CDATA, entities, BOM, charsets, gzip,
//! malformed XML, HTML served as XML, entity bombs, caps) gives entries or a clear error.

use std::io::Write;

use newspipe_discover::{DiscoverError, Discovered, DocKind, Limits, parse, sniff};
use url::Url;

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn base() -> Url {
    Url::parse("https://news.example/sitemap-index.xml").unwrap()
}

fn ok(name: &str) -> Discovered {
    let bytes = data(name);
    parse(&bytes, &base(), None, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn err(bytes: &[u8], ct: Option<&str>) -> DiscoverError {
    match parse(bytes, &base(), ct, &Limits::default()) {
        Ok(d) => panic!("expected an error, got {d:?}"),
        Err(e) => e,
    }
}

fn urls(d: &Discovered) -> Vec<&str> {
    d.entries.iter().map(|e| e.url.as_str()).collect()
}

fn rfc3339(d: Option<chrono::DateTime<chrono::FixedOffset>>) -> String {
    d.map(|d| d.to_rfc3339()).unwrap_or_default()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn has_warning(d: &Discovered, needle: &str) -> bool {
    d.warnings.iter().any(|w| w.contains(needle))
}

#[test]
fn urlset_reads_loc_and_lastmod_and_skips_bad_urls_with_a_count() {
    let d = ok("urlset.xml");
    assert_eq!(d.kind, DocKind::UrlSet);
    assert_eq!(
        urls(&d),
        [
            "https://news.example/world/2024/05/21/summit.html",
            // Entities decoded, whitespace trimmed, tracking parameter dropped by normalisation.
            "https://news.example/search?q=a&page=2",
            // Relative to the document URL.
            "https://news.example/relative/page.html",
            "https://news.example/Case/Path.html",
        ]
    );
    let lastmods: Vec<String> = d.entries.iter().map(|e| rfc3339(e.lastmod)).collect();
    assert_eq!(
        lastmods,
        [
            "2024-05-21T10:20:30+02:00",
            "2024-05-20T00:00:00+00:00",
            "2024-05-19T08:00:00+00:00",
            "2024-05-01T00:00:00+00:00"
        ]
    );
    // Image and video extensions give neither entries nor titles.
    assert!(d.entries.iter().all(|e| e.title.is_none() && !e.is_news));
    // mailto:, an invalid host and a <url> without <loc>.
    assert_eq!(d.skipped, 3);
    assert!(
        has_warning(&d, "1 entries skipped: URL not http(s)"),
        "{:?}",
        d.warnings
    );
    assert!(
        has_warning(&d, "1 entries skipped: invalid URL"),
        "{:?}",
        d.warnings
    );
    assert!(
        has_warning(&d, "1 entries skipped: no URL"),
        "{:?}",
        d.warnings
    );
    assert!(has_warning(&d, "dates unreadable"), "{:?}", d.warnings);
    assert_eq!(d.truncated, None);
}

#[test]
fn news_sitemap_matched_by_namespace_uri_with_cdata_and_entities() {
    let d = ok("news-sitemap.xml");
    assert_eq!(d.kind, DocKind::UrlSet);
    assert_eq!(d.entries.len(), 3);
    let a = &d.entries[0];
    assert!(a.is_news);
    assert_eq!(rfc3339(a.published), "2024-05-21T09:30:00+01:00");
    assert_eq!(rfc3339(a.lastmod), "2024-05-21T12:00:00+00:00");
    // CDATA keeps its '&'; markup inside it is dropped from the title.
    assert_eq!(a.title.as_deref(), Some("Vote passes narrowly & late"));
    let b = &d.entries[1];
    assert_eq!(
        b.title.as_deref(),
        Some("Café owners & fans celebrate — \"at last\"")
    );
    assert_eq!(rfc3339(b.published), "2024-05-21T00:00:00+00:00");
    // An archive entry in the same file is not news.
    assert!(!d.entries[2].is_news);
    assert_eq!(d.entries[2].title, None);
}

#[test]
fn news_prefix_without_declaration_and_uppercase_tags() {
    let d = ok("news-undeclared.xml");
    assert_eq!(urls(&d), ["https://news.example/a-1.html"]);
    assert!(d.entries[0].is_news);
    assert_eq!(
        d.entries[0].title.as_deref(),
        Some("Undeclared prefix, upper-case tags")
    );
    assert_eq!(rfc3339(d.entries[0].published), "2024-05-21T10:00:00+00:00");
}

#[test]
fn sitemap_index_lists_children_and_flags_itself() {
    let d = ok("sitemap-index.xml");
    assert_eq!(d.kind, DocKind::SitemapIndex);
    assert_eq!(
        urls(&d),
        [
            "https://news.example/sitemap-news.xml",
            "https://news.example/sitemap-2024-05.xml.gz",
            "https://news.example/sitemap-2024-04.xml",
            "https://news.example/sitemap-index.xml",
        ]
    );
    assert_eq!(rfc3339(d.entries[1].lastmod), "2024-05-21T00:00:00+00:00");
    // The entry is kept (the crate cannot see the fetch chain) but the loop is flagged.
    assert!(has_warning(&d, "lists itself"), "{:?}", d.warnings);
    // Fetched from elsewhere, the same index is no loop.
    let other = Url::parse("https://news.example/robots-said-this.xml").unwrap();
    let d = parse(&data("sitemap-index.xml"), &other, None, &Limits::default()).unwrap();
    assert!(!has_warning(&d, "lists itself"));
}

#[test]
fn rss2_links_guids_dates_and_extensions() {
    let d = ok("rss2.xml");
    assert_eq!(d.kind, DocKind::Rss);
    assert_eq!(
        urls(&d),
        [
            "https://news.example/business/rally.html",
            "https://news.example/world/guid-only.html",
            "https://news.example/culture/relative.html",
            "https://news.example/tech/original.html",
            "https://news.example/atom-link-only.html",
        ]
    );
    assert!(d.entries.iter().all(|e| e.is_news));
    let e = &d.entries[0];
    assert_eq!(e.title.as_deref(), Some("Markets rally"));
    assert_eq!(rfc3339(e.published), "2024-05-21T10:00:00+00:00");
    assert_eq!(rfc3339(e.updated), "2024-05-21T11:00:00+00:00");
    assert_eq!(rfc3339(d.entries[1].published), "2024-05-21T06:00:00-05:00");
    assert_eq!(rfc3339(d.entries[2].published), "2024-05-22T08:15:00-07:00");
    assert_eq!(rfc3339(d.entries[3].published), "2024-05-23T10:00:00+02:00");
    assert_eq!(d.entries[4].published, None);
    // The item with only a non-permalink guid has no URL.
    assert_eq!(d.skipped, 1);
    assert!(has_warning(&d, "\"not a date\""), "{:?}", d.warnings);
}

#[test]
fn rss1_rdf_items_and_dc_date() {
    let d = ok("rss1.rdf");
    assert_eq!(d.kind, DocKind::Rss);
    assert_eq!(
        urls(&d),
        [
            "https://news.example/rdf-1.html",
            "https://news.example/rdf-2.html"
        ]
    );
    assert_eq!(rfc3339(d.entries[0].updated), "2024-05-21T10:00:00+02:00");
    assert_eq!(d.entries[1].title.as_deref(), Some("About only"));
}

#[test]
fn atom_alternate_link_xml_base_and_dates() {
    let d = ok("atom.xml");
    assert_eq!(d.kind, DocKind::Atom);
    assert_eq!(
        urls(&d),
        [
            // text/html alternate beats the PDF one, self and enclosure; xml:base of the feed.
            "https://news.example/blog/2024/05/one.html",
            // xml:base on the entry, link without rel.
            "https://other.example/x/two.html",
            // No link: an http(s) id.
            "https://news.example/three.html",
        ]
    );
    let e = &d.entries[0];
    assert_eq!(e.title.as_deref(), Some("Tom & Jerry return"));
    assert_eq!(rfc3339(e.published), "2024-05-20T08:00:00-04:00");
    assert_eq!(rfc3339(e.updated), "2024-05-21T09:00:00-04:00");
    assert_eq!(rfc3339(e.changed_at()), "2024-05-21T09:00:00-04:00");
    assert_eq!(rfc3339(d.entries[1].published), "2024-05-19T08:00:00+00:00");
}

#[test]
fn json_feed_items_tolerate_wrong_types() {
    let d = ok("feed.json");
    assert_eq!(d.kind, DocKind::JsonFeed);
    assert_eq!(
        urls(&d),
        [
            "https://news.example/json-1.html",
            "https://news.example/json-2.html",
            "https://elsewhere.example/story",
            "https://news.example/relative-5.html",
        ]
    );
    assert_eq!(rfc3339(d.entries[0].published), "2024-05-21T10:00:00+02:00");
    assert_eq!(rfc3339(d.entries[0].updated), "2024-05-21T11:00:00+02:00");
    assert_eq!(d.entries[2].title, None);
    // `"url": 17` has no usable URL; "not an object" is noted.
    assert_eq!(d.skipped, 1);
    assert!(has_warning(&d, "not an object"), "{:?}", d.warnings);
    assert_eq!(sniff(&data("feed.json"), None), Some(DocKind::JsonFeed));
}

#[test]
fn gzip_found_by_magic_bytes_gives_the_same_entries() {
    let plain = ok("news-sitemap.xml");
    let zipped = ok("gzipped-sitemap.bin");
    assert_eq!(plain, zipped);
    assert_eq!(
        sniff(
            &data("gzipped-sitemap.bin"),
            Some("application/octet-stream")
        ),
        Some(DocKind::UrlSet)
    );
}

#[test]
fn gzip_variants_bom_junk_charset_json_and_broken_streams() {
    // BOM, then junk before the root: the retry must skip the BOM as well.
    let doc = "\u{feff}<br />Notice: x<br />\n<rss><channel><item><link>https://news.example/z.html</link></item></channel></rss>";
    let d = parse(&gz(doc.as_bytes()), &base(), None, &Limits::default()).unwrap();
    assert_eq!(urls(&d), ["https://news.example/z.html"]);
    assert!(has_warning(&d, "junk before the root"), "{:?}", d.warnings);
    // Latin-1 inside gzip is decoded like plain Latin-1.
    assert_eq!(
        ok("latin1-rss.xml").entries,
        parse(
            &gz(&data("latin1-rss.xml")),
            &base(),
            None,
            &Limits::default()
        )
        .unwrap()
        .entries
    );
    // A gzipped JSON Feed.
    assert_eq!(
        ok("feed.json").entries,
        parse(&gz(&data("feed.json")), &base(), None, &Limits::default())
            .unwrap()
            .entries
    );
    // A gzip stream cut in the middle keeps the entries that inflated.
    let mut z = gz(&big_sitemap(5_000));
    z.truncate(z.len() / 2);
    let d = parse(&z, &base(), None, &Limits::default()).unwrap();
    assert!(
        d.entries.len() > 1_000 && d.entries.len() < 5_000,
        "{}",
        d.entries.len()
    );
    assert!(has_warning(&d, "malformed sitemap"), "{:?}", d.warnings);
}

#[test]
fn bom_and_declared_charset() {
    let d = ok("bom-rss.xml");
    assert_eq!(urls(&d), ["https://news.example/bom.html"]);
    let d = ok("latin1-rss.xml");
    assert_eq!(d.entries[0].title.as_deref(), Some("Café crème"));
    assert_eq!(d.entries[0].url, "https://news.example/caf%C3%A9.html");
    assert_eq!(rfc3339(d.entries[0].published), "2024-05-21T10:00:00+02:00");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn malformed_xml_keeps_entries_before_the_error() {
    let d = ok("malformed.xml");
    assert_eq!(
        urls(&d),
        [
            "https://news.example/ok-1.html",
            "https://news.example/ok-2.html",
            "https://news.example/ok-3.html"
        ]
    );
    assert!(
        has_warning(&d, "malformed sitemap at byte"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn malformed_before_any_entry_is_an_error() {
    let e = err(&data("malformed-early.xml"), None);
    assert!(
        matches!(e, DiscoverError::Malformed { format: "RSS", .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("before any entry"), "{e}");
    let e = err(&data("truncated-atom.xml"), None);
    assert!(
        matches!(e, DiscoverError::Malformed { format: "Atom", .. }),
        "{e:?}"
    );
    let e = err(b"<rss><channel><item><title>half a feed", None);
    assert!(e.to_string().contains("cut short"), "{e}");
}

#[test]
fn html_served_as_xml_is_refused() {
    let page = data("html-as-xml.xml");
    assert_eq!(err(&page, Some("text/xml")), DiscoverError::LooksLikeHtml);
    assert_eq!(sniff(&page, Some("text/xml")), None);
    let xhtml =
        br#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>"#;
    assert_eq!(err(xhtml, None), DiscoverError::LooksLikeHtml);
    // Tag soup that is not even XML, served as HTML.
    assert_eq!(
        err(b"<p>hello <br> world", Some("text/html; charset=utf-8")),
        DiscoverError::LooksLikeHtml
    );
    assert!(err(&page, None).to_string().contains("looks like HTML"));
}

#[test]
fn other_documents_are_refused_with_the_reason() {
    let e = err(b"<?xml version='1.0'?><catalog><book/></catalog>", None);
    assert_eq!(
        e,
        DiscoverError::NotSitemapOrFeed("root element <catalog>".into())
    );
    assert_eq!(e.code(), "not_sitemap_or_feed");
    assert!(!e.is_transient());
    assert_eq!(err(b"", None), DiscoverError::Empty);
    assert_eq!(err(b" \n\xef\xbb\xbf ", None), DiscoverError::Empty);
    assert!(matches!(
        err(br#"{"name": "x"}"#, Some("application/json")),
        DiscoverError::NotSitemapOrFeed(_)
    ));
    assert!(matches!(
        err(b"[1, 2]", None),
        DiscoverError::NotSitemapOrFeed(_)
    ));
    assert!(matches!(
        err(b"just text", None),
        DiscoverError::NotSitemapOrFeed(_)
    ));
    assert!(matches!(
        err(&[0x1f, 0x8b, 8, 0, 0, 0], None),
        DiscoverError::Gzip(_)
    ));
    assert_eq!(sniff(b"<catalog/>", None), None);
}

#[test]
fn the_first_of_a_repeated_field_counts() {
    let doc = b"<urlset><url><loc>https://news.example/first</loc><lastmod>2024-01-01</lastmod><loc>https://news.example/second</loc><lastmod>2025-01-01</lastmod></url></urlset>";
    let d = parse(doc, &base(), None, &Limits::default()).unwrap();
    assert_eq!(urls(&d), ["https://news.example/first"]);
    assert_eq!(rfc3339(d.entries[0].lastmod), "2024-01-01T00:00:00+00:00");
}

#[test]
fn junk_before_the_root_is_skipped_with_a_warning() {
    let php = b"<br />\n<b>Warning</b>: Cannot modify header information in <b>/var/www/feed.php</b><br />\n<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><item><link>https://news.example/after-junk.html</link></item></channel></rss>";
    let d = parse(
        php,
        &base(),
        Some("application/rss+xml"),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(urls(&d), ["https://news.example/after-junk.html"]);
    assert!(
        has_warning(&d, "bytes of junk before the root element"),
        "{:?}",
        d.warnings
    );
    // A feed that breaks after its root is not re-read from a later "<rss".
    let e = err(b"<rss><channel><item><title>x</title><!bogus> <rss>", None);
    assert!(
        matches!(e, DiscoverError::Malformed { format: "RSS", .. }),
        "{e:?}"
    );
}

#[test]
fn billion_laughs_is_not_expanded() {
    let bomb = data("billion-laughs.xml");
    let d = parse(&bomb, &base(), None, &Limits::default()).unwrap();
    assert_eq!(d.entries.len(), 3);
    // The entities stay as written: the output is no bigger than the input.
    let out: usize = d
        .entries
        .iter()
        .map(|e| e.url.len() + e.title.as_ref().map_or(0, String::len))
        .sum();
    assert!(out < bomb.len(), "{out} bytes out of {} in", bomb.len());
    assert_eq!(d.entries[0].title.as_deref(), Some("&lol9;&lol9;&lol9;"));
    // The external entity is not fetched or read either.
    assert_eq!(d.entries[1].url, "https://news.example/xxe?f=&xxe;");
    assert!(
        has_warning(&d, "DTD with entity declarations ignored"),
        "{:?}",
        d.warnings
    );
    assert!(
        has_warning(&d, "entity references not expanded"),
        "{:?}",
        d.warnings
    );
}

/// A sitemap of `n` URLs, as a generator would write it.
fn big_sitemap(n: usize) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#,
    );
    for i in 0..n {
        s.push_str(&format!(
            "<url><loc>https://news.example/a/{i}.html</loc><lastmod>2024-05-21</lastmod></url>\n"
        ));
    }
    s.push_str("</urlset>");
    s.into_bytes()
}

/// An RSS feed of `n` items.
fn big_feed(n: usize) -> Vec<u8> {
    let mut s = String::from(r#"<rss version="2.0"><channel><title>big</title>"#);
    for i in 0..n {
        s.push_str(&format!("<item><title>Item {i}</title><link>https://news.example/i/{i}</link><pubDate>Tue, 21 May 2024 10:00:00 GMT</pubDate></item>\n"));
    }
    s.push_str("</channel></rss>");
    s.into_bytes()
}

#[test]
fn sitemap_of_60k_urls_keeps_the_first_50k() {
    let d = parse(&big_sitemap(60_000), &base(), None, &Limits::default()).unwrap();
    assert_eq!(d.entries.len(), 50_000);
    assert_eq!(d.entries[49_999].url, "https://news.example/a/49999.html");
    assert_eq!(
        d.truncated.as_deref(),
        Some("more than 50000 entries; kept the first 50000")
    );
    // Exactly at the cap is not truncated.
    let d = parse(&big_sitemap(50_000), &base(), None, &Limits::default()).unwrap();
    assert_eq!((d.entries.len(), d.truncated), (50_000, None));
}

#[test]
fn feed_of_100k_items_is_capped() {
    let d = parse(&big_feed(100_000), &base(), None, &Limits::default()).unwrap();
    assert_eq!(d.entries.len(), 50_000);
    assert!(d.truncated.is_some());
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let d = parse(&big_feed(100_000), &base(), None, &limits).unwrap();
    assert_eq!(d.entries.len(), 10);
    assert_eq!(
        d.truncated.as_deref(),
        Some("more than 10 entries; kept the first 10")
    );

    let items: Vec<String> = (0..100_000)
        .map(|i| format!(r#"{{"id":"{i}","url":"https://news.example/j/{i}"}}"#))
        .collect();
    let json = format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","items":[{}],"title":"after items"}}"#,
        items.join(",")
    );
    let d = parse(json.as_bytes(), &base(), None, &Limits::default()).unwrap();
    assert_eq!((d.kind, d.entries.len()), (DocKind::JsonFeed, 50_000));
    assert!(d.truncated.is_some());
}

#[test]
fn uncompressed_cap_cuts_plain_documents_too() {
    let limits = Limits {
        max_uncompressed_bytes: 10_000,
        ..Limits::default()
    };
    let d = parse(&big_sitemap(1_000), &base(), None, &limits).unwrap();
    assert!(
        !d.entries.is_empty() && d.entries.len() < 200,
        "{}",
        d.entries.len()
    );
    assert!(
        d.truncated
            .as_deref()
            .unwrap()
            .contains("10000-byte uncompressed cap"),
        "{:?}",
        d.truncated
    );
}

#[test]
fn gzip_bomb_stops_at_the_cap() {
    // 1 GiB of zeros as 1,024 gzip members of 1 MiB each (about 1 MB compressed).
    let member = gz(&vec![0u8; 1 << 20]);
    let bomb: Vec<u8> = member
        .iter()
        .copied()
        .cycle()
        .take(member.len() * 1024)
        .collect();
    let limits = Limits {
        max_uncompressed_bytes: 8 << 20,
        ..Limits::default()
    };
    let e = err_with(&bomb, &limits);
    // The zeros are refused as text without markup before the cap is even reached.
    assert!(
        matches!(
            e,
            DiscoverError::Malformed { .. } | DiscoverError::TooLarge { .. }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("without markup"), "{e}");

    // A sitemap that inflates past the cap: the entries before the cap are kept.
    let limits = Limits {
        max_uncompressed_bytes: 2 << 20,
        ..Limits::default()
    };
    let sitemap = big_sitemap(200_000);
    let d = parse(&gz(&sitemap), &base(), None, &limits).unwrap();
    assert!(
        d.entries.len() > 10_000 && d.entries.len() < 50_000,
        "{}",
        d.entries.len()
    );
    assert!(
        d.truncated.as_deref().unwrap().contains("uncompressed cap"),
        "{:?}",
        d.truncated
    );
    // The same bytes unzipped give the same entries.
    let plain = parse(&sitemap, &base(), None, &limits).unwrap();
    assert_eq!(plain.entries, d.entries);
    assert_eq!(plain.truncated, d.truncated);
}

fn err_with(bytes: &[u8], limits: &Limits) -> DiscoverError {
    match parse(bytes, &base(), None, limits) {
        Ok(d) => panic!("expected an error, got {} entries", d.entries.len()),
        Err(e) => e,
    }
}

#[test]
fn huge_fields_and_deep_nesting_stay_bounded() {
    // A 1 MB <loc>: refused as too long, not kept.
    let loc = format!(
        "<urlset><url><loc>https://news.example/{}</loc></url><url><loc>https://news.example/ok</loc></url></urlset>",
        "a".repeat(1 << 20)
    );
    let d = parse(loc.as_bytes(), &base(), None, &Limits::default()).unwrap();
    assert_eq!(urls(&d), ["https://news.example/ok"]);
    assert_eq!(d.skipped, 1);
    // A 5 MB run of text without markup: refused before it is buffered whole.
    let run = format!(
        "<urlset><url><loc>https://news.example/{}</loc></url></urlset>",
        "a".repeat(5 << 20)
    );
    let e = err(run.as_bytes(), None);
    assert!(e.to_string().contains("without markup"), "{e}");
    // 60,000 nested elements inside an item are walked through.
    let deep = format!(
        "<rss><channel><item><link>https://news.example/d</link>{}{}</item></channel></rss>",
        "<x>".repeat(60_000),
        "</x>".repeat(60_000)
    );
    let d = parse(deep.as_bytes(), &base(), None, &Limits::default()).unwrap();
    assert_eq!(urls(&d), ["https://news.example/d"]);
    // Deeper than the XML reader's limit: the items before it are kept, with a warning.
    let deeper = format!(
        "<rss><channel><item><link>https://news.example/d</link></item><item>{}",
        "<x>".repeat(100_000)
    );
    let d = parse(deeper.as_bytes(), &base(), None, &Limits::default()).unwrap();
    assert_eq!(urls(&d), ["https://news.example/d"]);
    assert!(has_warning(&d, "malformed RSS"), "{:?}", d.warnings);
}

#[test]
fn sniff_names_every_fixture_kind() {
    for (name, kind) in [
        ("urlset.xml", Some(DocKind::UrlSet)),
        ("news-sitemap.xml", Some(DocKind::UrlSet)),
        ("sitemap-index.xml", Some(DocKind::SitemapIndex)),
        ("rss2.xml", Some(DocKind::Rss)),
        ("rss1.rdf", Some(DocKind::Rss)),
        ("atom.xml", Some(DocKind::Atom)),
        ("bom-rss.xml", Some(DocKind::Rss)),
        ("billion-laughs.xml", Some(DocKind::UrlSet)),
        ("html-as-xml.xml", None),
    ] {
        assert_eq!(sniff(&data(name), None), kind, "{name}");
    }
    assert_eq!(
        sniff(br#"{"items": []}"#, Some("application/feed+json")),
        Some(DocKind::JsonFeed)
    );
    assert_eq!(sniff(br#"{"items": []}"#, Some("application/json")), None);
}

//! Discovery end to end: a site whose stories are linked from no page, only listed in a
//! sitemap index named by robots.txt (a news sitemap and a gzipped monthly one) and in an RSS
//! feed the home page announces with `<link rel="alternate">`, is archived whole; sitemaps and
//! feeds are never stored as articles, and entries on other hosts are not followed.

mod common;

use std::{collections::BTreeMap, io::Write, time::Duration};

use common::{Env, TestDb, Workers, cleanup, site::Server, unique};

fn story(n: usize) -> String {
    let paras: String = (0..6)
        .map(|i| {
            format!(
                "<p>Paragraph {i} of story {n}: the council met on Tuesday and agreed, after a long \
                 debate about the harbour, the budget and the new bridge, to publish its minutes.</p>"
            )
        })
        .collect();
    format!(
        "<html><head><title>Story {n} - Test Times</title>\
         <meta property=\"og:type\" content=\"article\">\
         <meta property=\"article:published_time\" content=\"2026-11-2{n}T10:00:00Z\">\
         </head><body><article><h1>Story {n}</h1>{paras}</article></body></html>"
    )
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stories_listed_only_in_sitemaps_are_archived() {
    let db = TestDb::create("discover").await;
    // The server's address is needed inside its own sitemaps: bind first, then fill.
    let probe = Server::start("127.0.0.4", BTreeMap::new()).await;
    let host = probe.addr.to_string();
    drop(probe);
    let base = format!("http://{host}");
    let mut pages = BTreeMap::new();
    pages.insert(
        "/robots.txt".to_string(),
        format!("User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap-index.xml\n"),
    );
    // The home page links to nothing; it only announces its feed.
    pages.insert(
        "/".to_string(),
        "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">\
         </head><body><p>Home, no links.</p></body></html>"
            .into(),
    );
    for n in 1..=5 {
        pages.insert(format!("/a/{n}"), story(n));
    }
    let xml = "application/xml".to_string();
    let mut files = BTreeMap::new();
    files.insert(
        "/sitemap-index.xml".to_string(),
        (xml.clone(), format!(
            "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
             <sitemap><loc>{base}/sitemap-news.xml</loc></sitemap>\
             <sitemap><loc>{base}/sitemap-2026-11.xml.gz</loc></sitemap>\
             <sitemap><loc>{base}/sitemap-index.xml</loc></sitemap>\
             </sitemapindex>").into_bytes()),
    );
    files.insert(
        "/sitemap-news.xml".to_string(),
        (xml.clone(), format!(
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
             xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\
             <url><loc>{base}/a/1</loc><news:news><news:publication_date>2026-11-21</news:publication_date>\
             <news:title>Story 1</news:title></news:news></url>\
             <url><loc>{base}/a/2</loc></url></urlset>").into_bytes()),
    );
    files.insert(
        "/sitemap-2026-11.xml.gz".to_string(),
        ("application/gzip".to_string(), gzip(&format!(
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
             <url><loc>{base}/a/3</loc><lastmod>2026-11-23</lastmod></url>\
             <url><loc>{base}/a/4</loc></url>\
             <url><loc>{base}/private/x</loc></url>\
             <url><loc>http://elsewhere.test/a/9</loc></url></urlset>"))),
    );
    files.insert(
        "/feed.xml".to_string(),
        (
            "application/rss+xml".to_string(),
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Test Times</title>\
             <item><title>Story 5</title><link>{base}/a/5</link>\
             <pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
            )
            .into_bytes(),
        ),
    );
    let server = Server::start_with_files(&host, pages, files).await;

    let prefix = unique("discover");
    let mut env = Env::new(&db, &prefix, 50);
    // Links on pages would not reach the stories anyway; the sitemaps must.
    env.set("NEWSPIPE__FRONTIER__MAX_DEPTH", "0");
    let mut w = Workers::new();
    for role in ["store", "parser"] {
        w.start(&env, role);
    }
    // The crawler serves Prometheus metrics, read at the end.
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut crawler_env = env.clone();
    crawler_env.set(
        "NEWSPIPE__TELEMETRY__METRICS_ADDR",
        &format!("127.0.0.1:{metrics_port}"),
    );
    w.start(&crawler_env, "crawler");
    let out = env.run(&["enqueue", &format!("{base}/")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db.wait_drained(Duration::from_secs(90), &mut w).await;

    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM articles ORDER BY title")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        titles,
        ["Story 1", "Story 2", "Story 3", "Story 4", "Story 5"]
    );
    // Sitemaps were fetched, parsed and kept as pages, never as articles; the index listing
    // itself was fetched once.
    let hits = server.hits();
    for path in [
        "/sitemap-index.xml",
        "/sitemap-news.xml",
        "/sitemap-2026-11.xml.gz",
    ] {
        assert_eq!(hits.iter().filter(|h| h.path == path).count(), 1, "{path}");
    }
    let sitemap_articles: i64 =
        sqlx::query_scalar("SELECT count(*) FROM articles WHERE url LIKE '%sitemap%'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(sitemap_articles, 0);
    // robots.txt still rules what the sitemaps list, and other hosts are out of scope.
    assert!(!hits.iter().any(|h| h.path.starts_with("/private/")));
    let offsite: i64 = sqlx::query_scalar("SELECT count(*) FROM urls WHERE url LIKE '%elsewhere%'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(offsite, 0);
    // Metrics name what happened, never which URL or host: label values stay bounded.
    let metrics = http_get(&format!("127.0.0.1:{metrics_port}"), "/metrics");
    assert!(metrics.contains("newspipe_"), "{metrics}");
    for line in metrics.lines().filter(|l| !l.starts_with('#')) {
        assert!(
            !line.contains(&host) && !line.contains("http://") && !line.contains("/a/"),
            "unbounded label value: {line}"
        );
    }
    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exited with {code:?}");
    }
    cleanup(db, &prefix).await;
}

/// A plain HTTP/1.0 GET, enough for a metrics endpoint.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

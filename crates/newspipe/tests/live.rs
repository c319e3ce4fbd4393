//! The living archive end to end, against a site that changes while the test runs: robots.txt
//! names a sitemap index (news sitemap + archive sitemap), the home page announces an RSS and an
//! Atom feed with `<link rel="alternate">`, and every response carries an ETag and a
//! Last-Modified and answers a matching conditional GET with 304.
//!
//! Proves: stories listed only in the feed or only in the news sitemap are archived (discovery
//! through robots.txt and `<link rel=alternate>`); a story published during the test is archived;
//! an update announced by the feed's `updated` date gives a second revision at once (stories
//! are otherwise revisited only hourly here) with the right diff; unchanged hubs are answered 304
//! and no second copy of their body is stored; `export --revisions` writes one line per
//! revision; `status` shows the host's revisits.

mod common;

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use common::{Env, TestDb, Workers, cleanup, unique};

/// A story as the site shows it now.
#[derive(Clone)]
struct Story {
    title: String,
    paras: Vec<String>,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    in_feed: bool,
    in_news_sitemap: bool,
}

#[derive(Default)]
struct Live {
    base: String,
    stories: BTreeMap<u32, Story>,
    /// (path, conditional request?, status)
    log: Vec<(String, bool, u16)>,
}

type Site = Arc<Mutex<Live>>;

fn story_html(n: u32, s: &Story) -> String {
    let paras: String = s.paras.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t} - Live Times</title>\
         <meta property=\"og:type\" content=\"article\">\
         <meta property=\"article:published_time\" content=\"{p}\">\
         <meta property=\"article:modified_time\" content=\"{u}\">\
         <link rel=\"canonical\" href=\"/s/{n}\"></head>\
         <body><article><h1>{t}</h1>{paras}</article></body></html>",
        t = s.title,
        p = s.published.to_rfc3339(),
        u = s.updated.to_rfc3339(),
    )
}

/// `(content type, body)` of a path, or None (404).
fn render(site: &Live, path: &str) -> Option<(&'static str, String)> {
    let base = &site.base;
    let xml = "application/xml";
    let doc = match path {
        "/robots.txt" => (
            "text/plain",
            format!("User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap-index.xml\n"),
        ),
        // The home page links to no story: stories are found through the feeds and sitemaps.
        "/" => (
            "text/html; charset=utf-8",
            "<!doctype html><html><head><title>Live Times</title>\
             <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">\
             <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom.xml\">\
             </head><body><h1>Live Times</h1><p>Today's news, in our feeds.</p></body></html>"
                .into(),
        ),
        "/sitemap-index.xml" => (
            xml,
            format!(
                "<?xml version=\"1.0\"?><sitemapindex \
                 xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                 <sitemap><loc>{base}/sitemap-news.xml</loc></sitemap>\
                 <sitemap><loc>{base}/sitemap-archive.xml</loc></sitemap></sitemapindex>"
            ),
        ),
        "/sitemap-news.xml" => {
            let urls: String = site
                .stories
                .iter()
                .filter(|(_, s)| s.in_news_sitemap)
                .map(|(n, s)| {
                    format!(
                        "<url><loc>{base}/s/{n}</loc><lastmod>{u}</lastmod><news:news>\
                         <news:publication_date>{p}</news:publication_date>\
                         <news:title>{t}</news:title></news:news></url>",
                        u = s.updated.to_rfc3339(),
                        p = s.published.to_rfc3339(),
                        t = s.title
                    )
                })
                .collect();
            (
                xml,
                format!(
                    "<?xml version=\"1.0\"?><urlset \
                     xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
                     xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">{urls}</urlset>"
                ),
            )
        }
        "/sitemap-archive.xml" => (
            xml,
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
             </urlset>"
                .into(),
        ),
        "/feed.xml" => {
            let items: String = site
                .stories
                .iter()
                .filter(|(_, s)| s.in_feed)
                .map(|(n, s)| {
                    format!(
                        "<item><title>{t}</title><link>{base}/s/{n}</link>\
                         <pubDate>{p}</pubDate></item>",
                        t = s.title,
                        p = s.published.to_rfc2822()
                    )
                })
                .collect();
            (
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>\
                     <title>Live Times</title>{items}</channel></rss>"
                ),
            )
        }
        "/atom.xml" => {
            let entries: String = site
                .stories
                .iter()
                .filter(|(_, s)| s.in_feed)
                .map(|(n, s)| {
                    format!(
                        "<entry><title>{t}</title><link href=\"{base}/s/{n}\"/>\
                         <id>{base}/s/{n}</id><published>{p}</published>\
                         <updated>{u}</updated></entry>",
                        t = s.title,
                        p = s.published.to_rfc3339(),
                        u = s.updated.to_rfc3339()
                    )
                })
                .collect();
            (
                "application/atom+xml",
                format!(
                    "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
                     <title>Live Times</title>{entries}</feed>"
                ),
            )
        }
        p => {
            let n: u32 = p.strip_prefix("/s/")?.parse().ok()?;
            let s = site.stories.get(&n)?;
            ("text/html; charset=utf-8", story_html(n, s))
        }
    };
    Some(doc)
}

async fn serve(State(site): State<Site>, uri: Uri, headers: HeaderMap) -> Response {
    let mut site = site.lock().unwrap();
    let path = uri.path().to_string();
    let Some((ctype, body)) = render(&site, &path) else {
        site.log.push((path, false, 404));
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    // The validator is the content itself: any change gives a new ETag.
    let etag = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut h);
        format!("\"{:016x}\"", h.finish())
    };
    let conditional = headers.contains_key(header::IF_NONE_MATCH);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        site.log.push((path, true, 304));
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    site.log.push((path, conditional, 200));
    (
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (header::ETAG, etag),
            (
                header::LAST_MODIFIED,
                "Tue, 01 Dec 2026 06:00:00 GMT".to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

/// A story dated `age_secs` ago.
fn story(n: u32, age_secs: i64, in_feed: bool, in_news_sitemap: bool) -> Story {
    let now = Utc::now() - chrono::TimeDelta::seconds(age_secs);
    Story {
        title: format!("Harbour story {n}"),
        paras: (0..5)
            .map(|i| {
                format!(
                    "Paragraph {i} of story {n}: the council met on Tuesday and agreed, after a \
                     long debate about the harbour, the budget and the new bridge, to publish \
                     its minutes in full."
                )
            })
            .collect(),
        published: now,
        updated: now,
        in_feed,
        in_news_sitemap,
    }
}

async fn scalar(db: &TestDb, sql: &str, url: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(url)
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn wait_for(
    what: &str,
    w: &mut Workers,
    timeout: Duration,
    mut ok: impl AsyncFnMut() -> bool,
) {
    let deadline = Instant::now() + timeout;
    while !ok().await {
        w.assert_alive();
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            w.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_site_is_archived_kept_current_and_unchanged_pages_cost_a_304() {
    let db = TestDb::create("live").await;
    let site: Site = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.9:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    {
        let mut s = site.lock().unwrap();
        s.base = base.clone();
        s.stories.insert(1, story(1, 60, true, false)); // only in the feeds
        s.stories.insert(2, story(2, 60, false, true)); // only in the news sitemap
    }
    let app = Router::new().fallback(serve).with_state(site.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let prefix = unique("live");
    let mut env = Env::new(&db, &prefix, 50);
    env.set("NEWSPIPE__REVISIT__ENABLED", "true");
    // Hubs every 1–3 s; stories only hourly, so a quick second revision can only come from the
    // feed's `updated` date making the story due at once.
    env.set("NEWSPIPE__REVISIT__HUB_MIN_SECS", "1");
    env.set("NEWSPIPE__REVISIT__HUB_MAX_SECS", "3");
    env.set("NEWSPIPE__REVISIT__STORY_STEPS", "[[86400, 3600]]");
    let mut w = Workers::new();
    for role in ["store", "parser", "crawler"] {
        w.start(&env, role);
    }
    let out = env.run(&["enqueue", &format!("{base}/")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = |n: u32| format!("{base}/s/{n}");
    let revisions =
        "SELECT count(*) FROM article_revisions r JOIN articles a ON a.id = r.article_id
                     WHERE a.canonical_url = $1";
    // Found only through the feed the home page announces / the sitemap robots.txt names.
    for n in [1, 2] {
        let u = url(n);
        wait_for(
            &format!("story {n}"),
            &mut w,
            Duration::from_secs(60),
            async || scalar(&db, revisions, &u).await == 1,
        )
        .await;
    }

    // Published during the test: archived.
    site.lock()
        .unwrap()
        .stories
        .insert(3, story(3, 0, true, true));
    let u3 = url(3);
    wait_for(
        "the new story 3",
        &mut w,
        Duration::from_secs(60),
        async || scalar(&db, revisions, &u3).await == 1,
    )
    .await;

    // Story 1 is updated; the feeds say so.
    {
        let mut s = site.lock().unwrap();
        let st = s.stories.get_mut(&1).unwrap();
        st.paras.insert(
            1,
            "Update: the bridge reopened to traffic on Wednesday morning.".into(),
        );
        st.updated = Utc::now();
    }
    let u1 = url(1);
    wait_for(
        "story 1's second revision",
        &mut w,
        Duration::from_secs(60),
        async || scalar(&db, revisions, &u1).await == 2,
    )
    .await;
    // Give the hubs a few more unchanged visits.
    tokio::time::sleep(Duration::from_secs(4)).await;

    // The diff shows exactly the added sentence.
    let out = env.run(&["diff", &u1]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("{+Update: the bridge reopened to traffic on Wednesday morning.+}"),
        "{diff}"
    );
    assert!(!diff.contains("[-"), "nothing was deleted: {diff}");

    // Unchanged pages: the home page was asked for again with its ETag and answered 304, and
    // only its first fetch was stored; 304s were recorded as visits.
    let log = site.lock().unwrap().log.clone();
    let home_304 = log
        .iter()
        .filter(|(p, c, s)| p == "/" && *c && *s == 304)
        .count();
    assert!(home_304 >= 2, "{log:?}");
    let home_pages = scalar(
        &db,
        "SELECT count(*) FROM pages p JOIN urls u ON u.id = p.url_id WHERE u.url = $1",
        &format!("{base}/"),
    )
    .await;
    assert_eq!(home_pages, 1, "a 304 moves no body");
    let not_modified: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(not_modified), 0)::int8 FROM host_visits")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(
        not_modified >= home_304 as i64 - 1,
        "{not_modified} vs {home_304}"
    );
    // Story 2 never changed and nothing said it did: fetched once.
    assert_eq!(
        log.iter().filter(|(p, _, _)| p == "/s/2").count(),
        1,
        "{log:?}"
    );
    for path in [
        "/robots.txt",
        "/sitemap-index.xml",
        "/sitemap-news.xml",
        "/feed.xml",
        "/atom.xml",
    ] {
        assert!(log.iter().any(|(p, _, _)| p == path), "{path} not fetched");
    }

    // One line per revision, numbered, with the revision's own body.
    let out = env.run(&["export", "--revisions"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of1: Vec<&serde_json::Value> = lines.iter().filter(|l| l["url"] == u1.as_str()).collect();
    assert_eq!(of1.len(), 2, "{lines:?}");
    assert_eq!(
        (of1[0]["revision"].as_i64(), of1[1]["revision"].as_i64()),
        (Some(1), Some(2))
    );
    assert!(!of1[0]["body"].as_str().unwrap().contains("bridge reopened"));
    assert!(of1[1]["body"].as_str().unwrap().contains("bridge reopened"));
    for key in [
        "canonical_url",
        "title",
        "authors",
        "published_at",
        "modified_at",
        "content_hash",
        "fetched_at",
    ] {
        assert!(of1[1].get(key).is_some(), "{key} missing: {}", of1[1]);
    }
    assert_ne!(of1[0]["content_hash"], of1[1]["content_hash"]);
    assert_eq!(lines.len(), 4, "stories 1 (×2), 2 and 3");

    // Status: the host's revisits in the last hour and the last change it saw.
    let out = env.run(&["status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let host = &status["hosts"][0];
    assert_eq!(host["host"], addr.to_string().as_str(), "{status}");
    assert!(
        host["revisits_last_hour"].as_i64().unwrap() >= 3,
        "{status}"
    );
    assert!(
        host["not_modified_last_hour"].as_i64().unwrap() >= 2,
        "{status}"
    );
    assert!(host["last_change_at"].is_string(), "{status}");
    // Idle although revisits are scheduled: nothing waits for a first fetch.
    assert_eq!(status["idle"], true, "{status}");

    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exited with {code:?}");
    }
    server.abort();
    cleanup(db, &prefix).await;
}

//! The JSON API against a real Postgres filled through the store's write path: search with
//! filters and cursors, articles by id and URL, revisions, diffs, CDX, Memento, problems.

// Bodies come from the server this test starts, so unbounded reads are fine here.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;
use reqwest::{StatusCode, header};
use serde_json::Value;

async fn get(base: &str, path: &str) -> (StatusCode, Value) {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    let v = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, v)
}

fn ids(v: &Value) -> Vec<i64> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn search_articles_revisions_cdx_and_memento() {
    let f = fixture().await;
    let base = serve(api_store(&f.db)).await;

    // Search: all three mention the storm; snippets are spans, never markup.
    let (st, v) = get(&base, "/search?q=storm").await;
    assert_eq!(st, 200, "{v}");
    let mut all = ids(&v);
    all.sort();
    let mut want = vec![f.storm, f.amp, f.other];
    want.sort();
    assert_eq!(all, want);
    let text = v.to_string();
    assert!(
        !text.contains("<b>") && !text.contains('\u{E000}'),
        "{text}"
    );
    let first = &v["hits"][0];
    assert!(first.get("body").is_none(), "hits carry no body");
    let spans = first["snippet"].as_array().unwrap();
    assert!(
        spans
            .iter()
            .any(|s| s["hit"] == true && s["text"].as_str().unwrap().eq_ignore_ascii_case("storm")),
        "{spans:?}"
    );

    // Filters.
    let (_, v) = get(&base, "/search?q=storm&site=other.example.net").await;
    assert_eq!(ids(&v), vec![f.other]);
    let (_, v) = get(&base, "/search?q=storm&lang=fr").await;
    assert_eq!(ids(&v), vec![f.other]);
    let (_, v) = get(&base, "/search?q=storm&section=local").await;
    assert_eq!(ids(&v), vec![f.amp]);
    let (_, v) = get(&base, "/search?q=storm&author=jean%20dupont").await;
    assert_eq!(ids(&v), vec![f.other]);
    let (_, v) = get(&base, "/search?q=storm&from=2025-03-02").await;
    assert_eq!(ids(&v), Vec::<i64>::new(), "all were published on March 1");
    let (_, v) = get(&base, "/search?q=storm%20-harbour").await;
    assert_eq!(ids(&v), vec![f.other]);

    // Keyset pagination: three pages of one, no repeats, then no cursor.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..3 {
        let path = match &cursor {
            None => "/search?q=storm&limit=1".to_string(),
            Some(c) => format!("/search?q=storm&limit=1&cursor={c}"),
        };
        let (st, v) = get(&base, &path).await;
        assert_eq!(st, 200, "{v}");
        seen.extend(ids(&v));
        cursor = v["next_cursor"].as_str().map(String::from);
        assert_eq!(cursor.is_some(), page < 2, "page {page}: {v}");
    }
    seen.sort();
    assert_eq!(seen, want);
    // The same with a filter (the query then joins articles and hosts).
    let (_, v) = get(&base, "/search?q=storm&site=news.example.org&limit=1").await;
    let first = ids(&v);
    let c = v["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let (_, v) = get(
        &base,
        &format!("/search?q=storm&site=news.example.org&limit=1&cursor={c}"),
    )
    .await;
    let mut two = [first, ids(&v)].concat();
    assert!(v["next_cursor"].is_null(), "{v}");
    two.sort();
    let mut want_site = vec![f.storm, f.amp];
    want_site.sort();
    assert_eq!(two, want_site);

    // One article, by id and by each URL that leads to it.
    let (st, a) = get(&base, &format!("/articles/{}", f.storm)).await;
    assert_eq!(st, 200);
    assert_eq!(a["title"], "Storm leaves the coast");
    assert_eq!(a["site"], "news.example.org");
    assert_eq!(a["revision_count"], 2);
    assert!(a["body"].as_str().unwrap().contains("left on Sunday"));
    let (st, a) = get(&base, &format!("/articles?url={AMP_CANONICAL}")).await;
    assert_eq!((st, a["id"].as_i64()), (StatusCode::OK, Some(f.amp)));
    let (st, a) = get(&base, &format!("/articles?url={AMP_URL}")).await;
    assert_eq!((st, a["id"].as_i64()), (StatusCode::OK, Some(f.amp)));
    let (st, p) = get(&base, "/articles?url=https://nowhere.example/x").await;
    assert_eq!(st, 404, "{p}");
    let (st, _) = get(&base, "/articles/999999").await;
    assert_eq!(st, 404);

    // Revisions and the diff.
    let (st, r) = get(&base, &format!("/articles/{}/revisions", f.storm)).await;
    assert_eq!(st, 200);
    let revs = r["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0]["number"], 1);
    assert_eq!(revs[0]["title"], "Storm reaches the <coast> & harbour");
    assert_eq!(revs[1]["number"], 2);
    assert_eq!(revs[1]["reparse"], false);
    let (st, r1) = get(&base, &format!("/articles/{}/revisions/1", f.storm)).await;
    assert_eq!(st, 200);
    assert!(
        r1["body"]
            .as_str()
            .unwrap()
            .starts_with("A violent storm reached the northern coast on Saturday night.")
    );
    let (st, d) = get(&base, &format!("/articles/{}/diff?from=1&to=2", f.storm)).await;
    assert_eq!(st, 200, "{d}");
    let fields = d["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0]["field"], "title");
    assert_eq!(fields[0]["to"], "Storm leaves the coast");
    let inserted: String = d["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["op"] == "insert")
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(inserted.contains("left on Sunday"), "{d}");
    let (st, _) = get(&base, &format!("/articles/{}/diff", f.amp)).await;
    assert_eq!(st, 404, "a one-revision article has no diff");

    // CDX: two captures of the storm URL; digests are the revisions' content hashes.
    let (st, c) = get(&base, &format!("/cdx?url={STORM_URL}&output=json")).await;
    assert_eq!(st, 200, "{c}");
    let rows = c.as_array().unwrap();
    assert_eq!(rows[0][0], "urlkey");
    assert_eq!(rows.len(), 3, "{c}");
    assert_eq!(rows[1][0], "org,example,news)/2025/storm");
    assert_eq!(rows[1][1], "20250301090000");
    assert_eq!(rows[1][5], revs[0]["content_hash"]);
    assert_eq!(rows[2][5], revs[1]["content_hash"]);
    let (_, c) = get(
        &base,
        "/cdx?url=news.example.org&matchType=host&output=json",
    )
    .await;
    assert_eq!(c.as_array().unwrap().len(), 4, "{c}");
    let (_, c) = get(&base, "/cdx?url=example.net&matchType=domain&output=json").await;
    assert_eq!(c.as_array().unwrap().len(), 2, "{c}");
    let (_, c) = get(
        &base,
        "/cdx?url=news.example.org/amp/&matchType=prefix&output=json",
    )
    .await;
    assert_eq!(c.as_array().unwrap().len(), 2, "{c}");
    let (_, c) = get(
        &base,
        &format!("/cdx?url={STORM_URL}&output=json&to=20250301"),
    )
    .await;
    assert_eq!(
        c.as_array().unwrap().len(),
        2,
        "to=20250301 covers the whole day: {c}"
    );
    let (_, c) = get(&base, &format!("/cdx?url={STORM_URL}")).await;
    assert_eq!(c.as_str().unwrap().lines().count(), 2);

    // Memento.
    let r = reqwest::get(format!("{base}/timemap/link/{STORM_URL}"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/link-format");
    let tm = r.text().await.unwrap();
    assert!(tm.contains(&format!("</web/20250301090000/{STORM_URL}>; rel=\"first memento\"; datetime=\"Sat, 01 Mar 2025 09:00:00 GMT\"")), "{tm}");
    assert!(
        tm.contains(&format!(
            "</web/20250302090000/{STORM_URL}>; rel=\"last memento\""
        )),
        "{tm}"
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(format!("{base}/timegate/{STORM_URL}"))
        .header("Accept-Datetime", "Sat, 01 Mar 2025 12:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()[header::VARY], "accept-datetime");
    assert_eq!(
        r.headers()[header::LOCATION],
        format!("/web/20250301090000/{STORM_URL}")
    );
    let r = client
        .get(format!("{base}/timegate/{STORM_URL}"))
        .header("Accept-Datetime", "Sun, 02 Mar 2025 08:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()[header::LOCATION],
        format!("/web/20250302090000/{STORM_URL}"),
        "nearest"
    );
    let r = client
        .get(format!("{base}/web/20250302090000/{STORM_URL}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["memento-datetime"],
        "Sun, 02 Mar 2025 09:00:00 GMT"
    );
    assert_eq!(r.headers()[header::CONTENT_SECURITY_POLICY], "sandbox");
    assert_eq!(r.text().await.unwrap(), STORM_HTML_2);
    let r = client
        .get(format!("{base}/web/20250301000000/{STORM_URL}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.headers()[header::LOCATION],
        format!("/web/20250301090000/{STORM_URL}")
    );

    // The rest.
    let (st, h) = get(&base, "/healthz").await;
    assert_eq!((st, h["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (st, o) = get(&base, "/openapi.json").await;
    assert_eq!(st, 200);
    assert_eq!(o["openapi"], "3.1.0");
    assert!(o["paths"]["/cdx"]["get"].is_object());
    f.db.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_clear_400_and_the_archive_is_unharmed() {
    let f = fixture().await;
    let base = serve(api_store(&f.db)).await;
    let long = "storm ".repeat(1800);
    let cases: Vec<(String, &str)> = vec![
        ("/search?q=".into(), "q is empty"),
        ("/search".into(), "q is empty"),
        (format!("/search?q={long}"), "the limit is 1000"),
        (
            "/search?q=storm&limit=101".into(),
            "limit must be between 1 and 100",
        ),
        (
            "/search?q=storm&limit=-5".into(),
            "limit must be between 1 and 100",
        ),
        (
            "/search?q=storm&limit=99999999999999999999999".into(),
            "limit must be a whole number",
        ),
        (
            "/search?q=storm&limit=ten".into(),
            "limit must be a whole number",
        ),
        (
            "/search?q=storm&sort=date".into(),
            "unknown parameter \"sort\"",
        ),
        ("/search?q=storm&q=rain".into(), "given twice"),
        (
            "/search?q=storm&from=yesterday".into(),
            "from \"yesterday\" is not a time",
        ),
        ("/search?q=storm&to=2025-13-45".into(), "is not a time"),
        (
            "/search?q=storm&cursor=abc".into(),
            "cursor is not one this server handed out",
        ),
        (
            "/search?q=storm&site=x'%20OR%201=1".into(),
            "is not a host name",
        ),
        (
            "/articles/abc".into(),
            "article id must be a positive whole number",
        ),
        (
            "/articles/-1".into(),
            "article id must be a positive whole number",
        ),
        ("/articles/1?x=1".into(), "unknown parameter"),
        ("/articles".into(), "url is required"),
        ("/articles?url=not%20a%20url".into(), "is not a web URL"),
        (
            "/articles?url=javascript:alert(1)".into(),
            "is not a web URL",
        ),
        (
            "/articles/1/revisions/0".into(),
            "revision number must be 1 or more",
        ),
        (
            format!("/articles/{}/diff?from=0", f.storm),
            "from must be between 1 and 2",
        ),
        (
            format!("/articles/{}/diff?from=1&to=1", f.storm),
            "same revision",
        ),
        (
            "/cdx?url=https://news.example.org/&matchType=everything".into(),
            "matchType must be",
        ),
        (
            "/cdx?url=https://news.example.org/&limit=0".into(),
            "limit must be between 1 and 10000",
        ),
        (
            "/cdx?url=https://news.example.org/&from=2025-02-30T00:00:00Z".into(),
            "is not a time",
        ),
        (
            "/cdx?url=https://news.example.org/&output=xml".into(),
            "output must be json",
        ),
        (
            "/cdx?url=https://news.example.org/&collapse=urlkey".into(),
            "collapse supports only digest",
        ),
        (
            "/cdx?url=ht!tp://bad&matchType=prefix".into(),
            "is not a web URL",
        ),
        ("/web/2025/https://news.example.org/".into(), "14 digits"),
        (
            "/web/20251399000000/https://news.example.org/".into(),
            "is not a time",
        ),
        ("/timemap/link/not-a-url".into(), "is not a web URL"),
    ];
    // Queries that look like SQL or break quoting are just words: 200, never an error.
    for q in [
        "storm'; DROP TABLE articles; --",
        "\"unbalanced quote",
        "storm) OR (1=1",
        "' OR ''='",
        "!!! & | <-> :*",
        "storm\\",
    ] {
        let (st, v) = get(&base, &format!("/search?q={}", urlencode(q))).await;
        assert_eq!(st, 200, "{q}: {v}");
    }
    for (path, want) in &cases {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{path}"
        );
        let v: Value = r.json().await.unwrap();
        let detail = v["detail"].as_str().unwrap();
        assert!(
            detail.contains(want),
            "{path}: {detail:?} should say {want:?}"
        );
        assert_eq!(v["status"], 400);
        assert_eq!(v["title"], "Bad Request");
        for leak in ["SELECT", "sqlx", "panicked", "syntax error", "src/"] {
            assert!(!detail.contains(leak), "{path} leaks {leak}: {detail}");
        }
    }
    let (st, v) = get(&base, "/nope").await;
    assert_eq!(
        (st, v["status"].as_i64()),
        (StatusCode::NOT_FOUND, Some(404))
    );
    // The archive is intact.
    assert_eq!(f.db.i64("SELECT count(*) FROM articles").await, 3);
    assert_eq!(f.db.i64("SELECT count(*) FROM article_revisions").await, 4);
    let (_, v) = get(&base, "/search?q=storm").await;
    assert_eq!(ids(&v).len(), 3);
    f.db.finish().await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_database_is_503_problem() {
    // Nothing listens on port 9 of localhost: every query fails to connect.
    let store = newspipe_store::Store::connect_read_only(
        "postgres://postgres@127.0.0.1:9/none",
        2,
        std::time::Duration::from_secs(1),
    )
    .unwrap();
    let base = serve(store).await;
    for path in [
        "/healthz",
        "/search?q=storm",
        "/articles/1",
        "/cdx?url=https://a.example/",
    ] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), 503, "{path}");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(r.headers()[header::RETRY_AFTER], "5");
        let v: Value = r.json().await.unwrap();
        assert!(v["detail"].as_str().unwrap().contains("unreachable"), "{v}");
    }
    // Bad input is still refused as such, before any database work.
    let r = reqwest::get(format!("{base}/search?q=")).await.unwrap();
    assert_eq!(r.status(), 400);
}

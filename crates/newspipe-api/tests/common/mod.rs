//! Test support: a fresh database per test filled through the store's write API (enqueue,
//! dispatch, apply hand-made parsed pages, index), and an API server on an ephemeral port.
#![allow(dead_code)]

use std::{net::SocketAddr, time::Duration};

use chrono::{DateTime, Utc};
use newspipe_api::{ApiState, router};
use newspipe_model::{
    Article, CrawlJob, FetchedPage, JobKind, ParsedPage, RobotsFetched, SCHEMA_VERSION, StoreMsg,
    Zstd,
};
use newspipe_store::{FrontierPolicy, Store};
use sqlx::{AssertSqlSafe, PgPool, postgres::PgPoolOptions};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const START: &str = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

pub struct TestDb {
    pub store: Store,
    pub url: String,
    name: String,
    admin: PgPool,
}

impl TestDb {
    /// Creates and migrates `np_test_<random>`; panics (never skips) when Postgres is down.
    pub async fn new() -> Self {
        let base = std::env::var("NEWSPIPE_TEST_DATABASE_URL").unwrap_or(DEFAULT_URL.into());
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect(&base)
            .await
            .unwrap_or_else(|e| {
                panic!("cannot reach Postgres at {base} ({e}); start it with\n    {START}")
            });
        let name = format!("np_test_{:016x}", rand::random::<u64>());
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .expect("CREATE DATABASE");
        let mut url = url::Url::parse(&base).expect("database URL");
        url.set_path(&name);
        let store = Store::connect(url.as_str(), 4).await.expect("connect");
        store.migrate().await.expect("migrate");
        Self {
            store,
            url: url.into(),
            name,
            admin,
        }
    }

    pub async fn finish(self) {
        self.store.pool().close().await;
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&self.admin)
        .await
        .expect("DROP DATABASE");
    }

    pub async fn i64(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.store.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

pub fn policy() -> FrontierPolicy {
    FrontierPolicy {
        min_interval: Duration::ZERO,
        ..FrontierPolicy::default()
    }
}

/// Enqueues `urls` and claims until each is dispatched (robots.txt answered 404 on the way).
pub async fn dispatch_all(store: &Store, want: &[&str]) -> Vec<CrawlJob> {
    let seeds: Vec<url::Url> = want.iter().map(|u| url::Url::parse(u).unwrap()).collect();
    store.enqueue(&seeds).await.expect("enqueue");
    let mut got: Vec<CrawlJob> = Vec::new();
    for _ in 0..6 {
        for j in store.claim_due(&policy()).await.expect("claim") {
            if j.kind == JobKind::Robots {
                let msg = StoreMsg::Robots(RobotsFetched {
                    job: j.clone(),
                    status: Some(404),
                    body: None,
                    error: None,
                    at: Utc::now(),
                });
                store.apply(&msg, &policy()).await.expect("robots");
            } else {
                got.push(j);
            }
        }
        if want.iter().all(|u| got.iter().any(|j| j.url == *u)) {
            return want
                .iter()
                .map(|u| got.iter().find(|j| j.url == *u).unwrap().clone())
                .collect();
        }
    }
    panic!("{want:?} were not all dispatched; got {got:?}");
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Stores one fetched page of `job` (raw `html`) with `article`.
pub async fn store_page(
    store: &Store,
    job: &CrawlJob,
    fetched_at: DateTime<Utc>,
    html: &str,
    article: Article,
) {
    let msg = StoreMsg::Page(Box::new(ParsedPage {
        dated: Vec::new(),
        kind: newspipe_model::PageKind::Html,
        feeds: Vec::new(),
        page: FetchedPage {
            v: SCHEMA_VERSION,
            job: job.clone(),
            final_url: job.url.clone(),
            status: 200,
            content_type: Some("text/html; charset=utf-8".into()),
            etag: None,
            last_modified: None,
            fetched_at,
            truncated: false,
            charset: "UTF-8".into(),
            body: Zstd::compress(html.as_bytes()),
        },
        is_article: true,
        article: Some(article),
        links: vec![],
    }));
    store.apply(&msg, &policy()).await.expect("apply page");
}

pub struct Fixture {
    pub db: TestDb,
    /// The storm story: two revisions.
    pub storm: i64,
    /// Fetched from an AMP URL, canonical elsewhere.
    pub amp: i64,
    /// Another site, French, section sport.
    pub other: i64,
}

pub const STORM_URL: &str = "https://news.example.org/2025/storm";
pub const AMP_URL: &str = "https://news.example.org/amp/harbour";
pub const AMP_CANONICAL: &str = "https://news.example.org/harbour";
pub const OTHER_URL: &str = "https://other.example.net/sport/storm-match";
pub const STORM_HTML_1: &str = "<html><body><h1>Storm</h1><p>first</p></body></html>";
pub const STORM_HTML_2: &str = "<html><body><h1>Storm</h1><p>second</p></body></html>";

pub fn article(title: &str, body: &str) -> Article {
    Article {
        title: Some(title.into()),
        authors: vec!["Ana Núñez".into()],
        published_at: Some(at("2025-03-01T08:00:00Z").fixed_offset()),
        section: Some("weather".into()),
        language: Some("en".into()),
        tags: vec!["storm".into()],
        word_count: body.split_whitespace().count() as u32,
        body: body.into(),
        ..Article::default()
    }
}

/// Three articles on two sites; the storm story changed once.
pub async fn fixture() -> Fixture {
    let db = TestDb::new().await;
    let jobs = dispatch_all(&db.store, &[STORM_URL, AMP_URL, OTHER_URL]).await;
    let s = &db.store;
    store_page(
        s,
        &jobs[0],
        at("2025-03-01T09:00:00Z"),
        STORM_HTML_1,
        article(
            "Storm reaches the <coast> & harbour",
            "A violent storm reached the northern coast on Saturday night.\n\nFishermen kept their boats in the harbour.",
        ),
    )
    .await;
    store_page(
        s,
        &jobs[0],
        at("2025-03-02T09:00:00Z"),
        STORM_HTML_2,
        article(
            "Storm leaves the coast",
            "A violent storm reached the northern coast on Saturday night and left on Sunday.\n\nFishermen kept their boats in the harbour.",
        ),
    )
    .await;
    let mut amp = article(
        "Harbour reopens",
        "The harbour reopened after the storm passed, said the port authority.",
    );
    amp.canonical_url = Some(AMP_CANONICAL.into());
    amp.section = Some("local".into());
    store_page(s, &jobs[1], at("2025-03-03T09:00:00Z"), "<p>amp</p>", amp).await;
    let mut other = article(
        "Match played despite storm",
        "Le match a eu lieu malgré la tempête et le storm.",
    );
    other.language = Some("fr".into());
    other.section = Some("sport".into());
    other.authors = vec!["Jean Dupont".into()];
    store_page(
        s,
        &jobs[2],
        at("2025-03-04T09:00:00Z"),
        "<p>match</p>",
        other,
    )
    .await;
    s.index_search(100).await.expect("index");
    let id = |sql: &'static str| {
        let pool = s.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .expect(sql)
        }
    };
    let storm =
        id("SELECT id FROM articles WHERE canonical_url = 'https://news.example.org/2025/storm'")
            .await;
    let amp =
        id("SELECT id FROM articles WHERE canonical_url = 'https://news.example.org/harbour'")
            .await;
    let other =
        id("SELECT id FROM articles WHERE canonical_url LIKE 'https://other.example.net/%'").await;
    Fixture {
        db,
        storm,
        amp,
        other,
    }
}

/// Serves the API for `store` on 127.0.0.1:<ephemeral>; returns the base URL.
pub async fn serve(store: Store) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let app = router(ApiState::new(store));
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

/// A read-only API store on the test database, as `newspipe api` makes it.
pub fn api_store(db: &TestDb) -> Store {
    Store::connect_read_only(&db.url, 8, Duration::from_secs(5)).unwrap()
}

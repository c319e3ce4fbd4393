//! Test support: a fresh, uniquely named database per test on the local Postgres, plus builders
//! for the messages the store consumes.
#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use newspipe_model::{
    Article, CrawlJob, Disposition, FetchFailure, FetchedPage, JobKind, ParsedPage, RobotsFetched,
    SCHEMA_VERSION, StoreMsg, Zstd,
};
use newspipe_store::{FrontierPolicy, Hit, SearchQuery, Store};
use sqlx::{AssertSqlSafe, PgPool, postgres::PgPoolOptions};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const START: &str = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

/// A database created for one test. Call [`TestDb::finish`] at the end to drop it; a failing
/// test leaves it behind for inspection (`np_test_*`).
pub struct TestDb {
    pub store: Store,
    pub url: String,
    name: String,
    admin: PgPool,
}

impl TestDb {
    /// Creates `np_test_<random>` on `NEWSPIPE_TEST_DATABASE_URL` (default the local
    /// `postgres` database) and migrates it. Panics, never skips, when Postgres is unreachable.
    pub async fn new() -> Self {
        let db = Self::new_unmigrated().await;
        db.store.migrate().await.expect("migrate");
        db
    }

    /// A fresh database with no schema at all.
    pub async fn new_unmigrated() -> Self {
        let base = std::env::var("NEWSPIPE_TEST_DATABASE_URL").unwrap_or(DEFAULT_URL.into());
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect(&base)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot reach Postgres at {base} ({e}).\n\
                     These tests need a real Postgres: start it with\n    {START}\n\
                     or point NEWSPIPE_TEST_DATABASE_URL at one (role with CREATEDB)."
                )
            });
        let name = format!("np_test_{:016x}", rand::random::<u64>());
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .expect("CREATE DATABASE");
        let mut url = url::Url::parse(&base).expect("database URL");
        url.set_path(&name);
        let store = Store::connect(url.as_str(), 8).await.expect("connect");
        Self {
            store,
            url: url.into(),
            name,
            admin,
        }
    }

    pub fn pool(&self) -> &PgPool {
        self.store.pool()
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

    /// One scalar from SQL, for assertions.
    pub async fn i64(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// `(state, attempts, last_error, last_status)` of a URL.
    pub async fn url_state(&self, url: &str) -> (String, i32, Option<String>, Option<i32>) {
        sqlx::query_as(
            "SELECT state::text, attempts, last_error, last_status FROM urls WHERE url = $1",
        )
        .bind(url)
        .fetch_one(self.pool())
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
    }
}

pub fn policy() -> FrontierPolicy {
    FrontierPolicy {
        max_depth: 2,
        min_interval: Duration::from_secs(1),
        horizon: Duration::from_secs(5),
        lease: Duration::from_secs(300),
        max_attempts: 3,
        backoff_base: Duration::from_secs(30),
        max_in_flight: 2000,
        user_agent: "newspipe/0.1 (+https://example.org/bot)".into(),
        revisit: newspipe_store::RevisitPolicy::default(),
    }
}

/// Politeness off: no spacing, for tests about volume and concurrency.
pub fn fast_policy() -> FrontierPolicy {
    FrontierPolicy {
        min_interval: Duration::ZERO,
        ..policy()
    }
}

pub fn urls(list: &[&str]) -> Vec<url::Url> {
    list.iter().map(|u| url::Url::parse(u).unwrap()).collect()
}

pub fn robots_msg(job: &CrawlJob, status: Option<u16>, body: Option<&str>) -> StoreMsg {
    StoreMsg::Robots(RobotsFetched {
        job: job.clone(),
        status,
        body: body.map(String::from),
        error: status.is_none().then(|| "connection refused".into()),
        at: Utc::now(),
    })
}

/// Claims once and answers every robots job with `status`/`body`; returns the page jobs claimed.
pub async fn answer_robots(
    store: &Store,
    policy: &FrontierPolicy,
    status: Option<u16>,
    body: Option<&str>,
) -> Vec<CrawlJob> {
    let jobs = store.claim_due(policy).await.unwrap();
    let mut pages = Vec::new();
    for j in jobs {
        if j.kind == JobKind::Robots {
            store
                .apply(&robots_msg(&j, status, body), policy)
                .await
                .unwrap();
        } else {
            pages.push(j);
        }
    }
    pages
}

/// Claims until `url` is handed out (answering robots.txt with a 404 on the way).
pub async fn dispatch(store: &Store, policy: &FrontierPolicy, url: &str) -> CrawlJob {
    dispatch_all(store, policy, &[url]).await.remove(0)
}

/// Claims until every URL in `want` is handed out; returns their jobs in `want`'s order.
pub async fn dispatch_all(store: &Store, policy: &FrontierPolicy, want: &[&str]) -> Vec<CrawlJob> {
    let mut got: Vec<CrawlJob> = Vec::new();
    for _ in 0..5 {
        got.extend(answer_robots(store, policy, Some(404), None).await);
        if want.iter().all(|u| got.iter().any(|j| j.url == *u)) {
            return want
                .iter()
                .map(|u| got.iter().find(|j| j.url == *u).unwrap().clone())
                .collect();
        }
    }
    panic!("{want:?} were not all dispatched; got {got:?}");
}

pub fn article(title: &str, body: &str, canonical: Option<&str>) -> Article {
    Article {
        title: Some(title.into()),
        authors: vec!["Ana Núñez".into()],
        published_at: Some("2025-01-02T03:04:05Z".parse().unwrap()),
        canonical_url: canonical.map(String::from),
        section: Some("world".into()),
        tags: vec!["politics".into()],
        word_count: body.split_whitespace().count() as u32,
        body: body.into(),
        ..Article::default()
    }
}

pub fn page_msg(
    job: &CrawlJob,
    fetched_at: DateTime<Utc>,
    article: Option<Article>,
    links: &[&str],
) -> StoreMsg {
    StoreMsg::Page(Box::new(ParsedPage {
        dated: Vec::new(),
        kind: newspipe_model::PageKind::Html,
        feeds: Vec::new(),
        page: FetchedPage {
            v: SCHEMA_VERSION,
            job: job.clone(),
            final_url: job.url.clone(),
            status: 200,
            content_type: Some("text/html; charset=utf-8".into()),
            etag: Some("\"abc\"".into()),
            last_modified: None,
            fetched_at,
            truncated: false,
            charset: "UTF-8".into(),
            body: Zstd::compress(b"<html><body><p>hello</p></body></html>"),
        },
        is_article: article.is_some(),
        article,
        links: links.iter().map(|s| s.to_string()).collect(),
    }))
}

pub fn failure(
    job: &CrawlJob,
    disposition: Disposition,
    reason: &str,
    status: Option<u16>,
    retry_after_secs: Option<u64>,
) -> StoreMsg {
    StoreMsg::Failed(FetchFailure {
        job: job.clone(),
        disposition,
        reason: reason.into(),
        status,
        retry_after_secs,
        at: Utc::now(),
    })
}

/// The archive search (`search_archive`, what the CLI and the API run) without filters.
pub async fn search(store: &Store, q: &str, limit: i64) -> Vec<Hit> {
    let query = SearchQuery {
        q: q.to_owned(),
        limit,
        ..SearchQuery::default()
    };
    store.search_archive(&query).await.unwrap().hits
}

/// A hit's snippet as text, with the matched words in `[…]`.
pub fn marked(hit: &Hit) -> String {
    hit.snippet
        .iter()
        .map(|s| {
            if s.hit {
                format!("[{}]", s.text)
            } else {
                s.text.clone()
            }
        })
        .collect()
}

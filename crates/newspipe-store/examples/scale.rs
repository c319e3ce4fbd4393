//! Scale proof for the v2 data model: fills one database with a synthetic archive (default
//! 10 M URLs, 1 M articles with revisions, generated inside Postgres) and a second with a small
//! one, then times the operations whose cost must not grow with the archive: a dispatcher pass,
//! `status` counts, a store batch and a search. Prints each median and the big/small ratio, and
//! the bytes on disk per article.
//!
//! ```sh
//! cargo run --release -p newspipe-store --example scale -- [--urls N] [--articles N] [--keep] [--reuse] [--cold] [--rounds N] [--only dispatch|status|batch|search]
//! ```
//! `DATABASE_URL` names the server (default `postgres://postgres@127.0.0.1:5432/postgres`); the
//! databases `np_scale_big` and `np_scale_small` are created there (and dropped unless `--keep`;
//! `--reuse` measures the ones a `--keep` run left, without generating them again). The queue
//! (`frontier`, `hosts` and their indexes) and the URL keys (`urls_pkey`) are loaded into shared
//! buffers before timing, as a running crawler keeps them; `--cold` leaves them where
//! generation left them.

use std::time::{Duration, Instant};

use chrono::Utc;
use newspipe_model::{Article, CrawlJob, FetchedPage, ParsedPage, SCHEMA_VERSION, StoreMsg, Zstd};
use newspipe_store::{FrontierPolicy, SearchQuery, Store};
use sqlx::{AssertSqlSafe, PgPool, postgres::PgPoolOptions};

/// Hosts in both archives; a pass considers each.
const HOSTS: i64 = 1000;
/// Articles that contain the searched term, in both archives, so a search ranks the same work.
const TERM_DOCS: i64 = 50;
const SEARCH: &str = "zebraquartz";
/// Rounds per operation by default (`--rounds`); the medians are reported.
const ROUNDS: usize = 15;

struct Args {
    urls: i64,
    articles: i64,
    keep: bool,
    /// Measure the databases a `--keep` run left instead of generating them again.
    reuse: bool,
    /// Leave the queue where generation left it (mostly out of shared buffers).
    cold: bool,
    /// Rounds per operation: more give steadier medians on a busy machine.
    rounds: usize,
    /// Time only this operation (`dispatch`, `status`, `batch` or `search`).
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        urls: 10_000_000,
        articles: 1_000_000,
        keep: false,
        reuse: false,
        cold: false,
        rounds: ROUNDS,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut num = || -> i64 {
            it.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .unwrap_or_else(|| panic!("{flag} takes a number"))
        };
        match flag.as_str() {
            "--urls" => a.urls = num(),
            "--articles" => a.articles = num(),
            "--keep" => a.keep = true,
            "--reuse" => a.reuse = true,
            "--cold" => a.cold = true,
            "--only" => a.only = it.next(),
            "--rounds" => a.rounds = usize::try_from(num().max(1)).unwrap_or(ROUNDS),
            other => panic!("unknown argument {other}; see the file's docs"),
        }
    }
    assert!(
        a.articles <= a.urls / 2,
        "--articles must be at most half of --urls"
    );
    a
}

#[tokio::main]
async fn main() {
    let a = args();
    let base = std::env::var("DATABASE_URL")
        .unwrap_or("postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&base)
        .await
        .expect("Postgres");
    let (small, big) = if a.reuse {
        (
            reuse(&base, "np_scale_small").await,
            reuse(&base, "np_scale_big").await,
        )
    } else {
        (
            setup(&admin, &base, "np_scale_small", 20 * HOSTS, 2 * TERM_DOCS).await,
            setup(&admin, &base, "np_scale_big", a.urls, a.articles).await,
        )
    };

    // A running crawler keeps its queue in memory: every dispatcher pass and store batch reads
    // and writes it, and every link of every stored page probes the URL keys. Generating the
    // big archive has pushed them out of shared buffers, which a live deployment never sees, so
    // both are loaded first (`--cold`: not). The archive's tables are not.
    if !a.cold {
        for (label, store) in [("small", &small), ("big", &big)] {
            match prewarm_queue(store).await {
                Ok(blocks) => eprintln!("{label}: queue prewarmed ({blocks} blocks)"),
                Err(e) => eprintln!("{label}: queue not prewarmed ({e}); figures are cold"),
            }
        }
    }
    println!("\n| operation | small archive | big archive | ratio |");
    println!("| --- | --- | --- | --- |");
    let mut rows = Vec::new();
    for (key, name, op) in [
        (
            "dispatch",
            "dispatcher pass (claim_due, ~500 jobs)",
            Op::Dispatch,
        ),
        ("status", "status counts", Op::Counts),
        (
            "batch",
            "store batch (64 pages, 64 articles, 1,280 links)",
            Op::Batch,
        ),
        ("search", "search (50 hits, top 10)", Op::Search),
    ] {
        if a.only.as_deref().is_some_and(|o| o != key) {
            continue;
        }
        let (s, b) = alternate(&small, &big, op, a.rounds).await;
        let ratio = b.as_secs_f64() / s.as_secs_f64();
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {ratio:.2}× |",
            ms(s),
            ms(b)
        );
        rows.push(ratio);
    }
    for (label, store) in [("small", &small), ("big", &big)] {
        let (bytes, articles, urls): (i64, i64, i64) = sqlx::query_as(
            "SELECT pg_database_size(current_database()),
                    (SELECT count(*) FROM articles), (SELECT count(*) FROM urls)",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        println!(
            "{label}: {urls} URLs, {articles} articles, {:.1} MB on disk, {:.0} bytes per article (all tables)",
            bytes as f64 / 1e6,
            bytes as f64 / articles.max(1) as f64
        );
    }
    let worst = rows.iter().copied().fold(0.0, f64::max);
    println!("worst ratio {worst:.2}× (target ≤ 1.5×)");
    if !a.keep {
        small.pool().close().await;
        big.pool().close().await;
        for db in ["np_scale_small", "np_scale_big"] {
            sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
            )))
            .execute(&admin)
            .await
            .unwrap();
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Connects to a database a `--keep` run generated (migrating it to this build's schema).
async fn reuse(base: &str, name: &str) -> Store {
    let mut u = url::Url::parse(base).unwrap();
    u.set_path(name);
    let store = Store::connect(u.as_str(), 4)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e} (run once with --keep first)"));
    store.migrate().await.unwrap();
    store
}

/// Creates `name` afresh, migrates it and generates `urls` URLs of which `articles` are stored
/// articles (one page and 1–2 revisions each); a quarter of the rest are queued, the others
/// settled as skipped or failed.
async fn setup(admin: &PgPool, base: &str, name: &str, urls: i64, articles: i64) -> Store {
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(AssertSqlSafe(sql))
            .execute(admin)
            .await
            .unwrap();
    }
    let mut u = url::Url::parse(base).unwrap();
    u.set_path(name);
    let store = Store::connect(u.as_str(), 4).await.unwrap();
    store.migrate().await.unwrap();
    let started = Instant::now();
    let pool = store.pool();
    let steps: [(&str, String); 14] = [
        ("hosts", format!(
            "INSERT INTO hosts (id, host, robots_state, robots_status, robots_txt, robots_fetched_at)
             SELECT g, 'h' || g || '.test', 'ok', 404, NULL, now() FROM generate_series(1, {HOSTS}) g;
             SELECT setval(pg_get_serial_sequence('hosts', 'id'), {HOSTS} + 1, false)")),
        // Bulk load without the search index, built once at the end (as a restore would).
        ("drop search index", "DROP INDEX article_search_doc_idx".into()),
        // A year of history has its month partitions, as a year of crawling would have made.
        ("partitions", "SELECT ensure_month_partitions('pages', now() - interval '13 months', now()),
                               ensure_month_partitions('article_revisions', now() - interval '13 months', now())".into()),
        ("urls", format!(
            "INSERT INTO urls (id, url, host_id, depth, state, attempts, fetched_at, is_article)
             SELECT url_key(u), u, 1 + g % {HOSTS}, 1,
                    (CASE WHEN g <= {articles} THEN 'fetched'
                          WHEN g % 4 = 0 THEN 'queued'
                          WHEN g % 4 = 1 THEN 'skipped'
                          WHEN g % 4 = 2 THEN 'fetched'
                          ELSE 'failed' END)::url_state,
                    1, CASE WHEN g <= {articles} OR g % 4 = 2 THEN now() END, g <= {articles}
             FROM generate_series(1::int8, {urls}) g,
                  LATERAL (SELECT 'http://h' || (1 + g % {HOSTS}) || '.test/story/' || g) x (u)
             ON CONFLICT DO NOTHING")),
        ("frontier", format!(
            "INSERT INTO frontier (url_id, host_id, due_at, url, depth)
             SELECT url_key(u), 1 + g % {HOSTS}, now() - interval '1 hour', u, 1
             FROM generate_series({articles}::int8 + 1, {urls}) g,
                  LATERAL (SELECT 'http://h' || (1 + g % {HOSTS}) || '.test/story/' || g) x (u)
             WHERE g % 4 = 0
             ON CONFLICT DO NOTHING")),
        // Stories of the last 30 days wait for their revisit (not due yet), as a live archive's
        // frontier holds them.
        ("revisits", format!(
            "INSERT INTO frontier (url_id, host_id, due_at, url, depth, revisit, visited_at,
                                   changed_at, etag)
             SELECT url_key(u), 1 + g % {HOSTS}, now() + (g % 86400) * interval '1 second', u, 1,
                    true, now() - (g % 365) * interval '1 day',
                    now() - (g % 365) * interval '1 day', '\"' || g || '\"'
             FROM generate_series(1::int8, {articles}) g,
                  LATERAL (SELECT 'http://h' || (1 + g % {HOSTS}) || '.test/story/' || g) x (u)
             WHERE g % 365 < 30
             ON CONFLICT DO NOTHING")),
        ("pages", format!(
            "INSERT INTO pages (url_id, final_url, status, charset, fetched_at, body_zstd)
             SELECT url_key(u), u, 200, 'UTF-8', now() - (g % 365) * interval '1 day',
                    decode(repeat('00', 64), 'hex')
             FROM generate_series(1::int8, {articles}) g,
                  LATERAL (SELECT 'http://h' || (1 + g % {HOSTS}) || '.test/story/' || g) x (u)
             -- In fetch order, as a crawl writes them (what BRIN on fetched_at relies on).
             ORDER BY g % 365 DESC")),
        ("article revisions", format!(
            "INSERT INTO article_revisions (id, article_id, fetched_at, url, content_hash, title,
                 authors, published_at, body, word_count)
             SELECT r.id, g, now() - (g % 365) * interval '1 day' + (r.n - 1) * interval '1 hour',
                    'http://h' || (1 + g % {HOSTS}) || '.test/story/' || g, md5(g || ':' || r.n),
                    'Story ' || g, ARRAY['Reporter ' || (g % 500)],
                    now() - (g % 365) * interval '1 day',
                    (SELECT string_agg('w' || ((g * 7919 + i * 104729) % 20000), ' ')
                       FROM generate_series(1, 60) i)
                    || CASE WHEN g <= {TERM_DOCS} THEN ' {SEARCH}' ELSE '' END
                    || CASE WHEN r.n = 2 THEN ' corrected' ELSE '' END,
                    60
             FROM generate_series(1::int8, {articles}) g,
                  LATERAL (SELECT g * 2 - 1 + n - 1 AS id, n
                           FROM generate_series(1, 1 + (g % 3 = 0)::int) n) r
             ORDER BY 3")),
        ("articles", 
            "INSERT INTO articles (id, canonical_url, url, url_id, current_revision_id,
                 current_fetched_at, title, authors, published_at, word_count, content_hash,
                 first_seen, last_seen, revision_count)
             SELECT r.article_id, r.url, r.url, url_key(r.url), r.id, r.fetched_at, r.title,
                    r.authors, r.published_at, 60, r.content_hash, r.fetched_at, r.fetched_at,
                    1 + (r.article_id % 3 = 0)::int
             FROM article_revisions r
             WHERE r.id = r.article_id * 2 - 1 + (r.article_id % 3 = 0)::int".into()),
        ("search documents", "INSERT INTO article_search (article_id, doc)
             SELECT a.id, setweight(to_tsvector('simple', coalesce(a.title, '')), 'A')
                          || setweight(to_tsvector('simple', r.body), 'B')
             FROM articles a JOIN article_revisions r
               ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at".into()),
        ("search index", "CREATE INDEX article_search_doc_idx ON article_search USING gin (doc)".into()),
        ("sequences", "SELECT setval('article_revisions_id_seq', (SELECT coalesce(max(id), 1) FROM article_revisions)),
                              setval('articles_id_seq', (SELECT coalesce(max(id), 1) FROM articles)),
                              setval('pages_id_seq', (SELECT coalesce(max(id), 1) FROM pages))".into()),
        // The store counts what it inserts (archive.rs `Inserted`); rows made here are counted
        // here. The frontier's triggers left deltas and due hints: folded as the workers would.
        ("counters", "INSERT INTO counter_deltas (name, n)
                          SELECT 'pages', count(*) FROM pages
                          UNION ALL SELECT 'articles', count(*) FROM articles
                          UNION ALL SELECT 'revisions', count(*) FROM article_revisions;
                      SELECT compact_counters(), fold_frontier_facts()".into()),
        ("analyze", "ANALYZE".into()),
    ];
    for (what, sql) in steps {
        let t = Instant::now();
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{name}: {what}: {e}"));
        eprintln!("{name}: {what} {:.1} s", t.elapsed().as_secs_f64());
    }
    eprintln!(
        "{name}: generated in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    store
}

fn policy() -> FrontierPolicy {
    FrontierPolicy {
        // Politeness off: every pass books a fair share of each host, so passes stay comparable.
        min_interval: Duration::ZERO,
        max_in_flight: 500,
        ..FrontierPolicy::default()
    }
}

/// Loads `frontier` and `hosts` with their indexes, and the URL keys (`urls_pkey`), into shared
/// buffers (pg_prewarm, a contrib extension shipped with Postgres). Returns the blocks loaded.
async fn prewarm_queue(store: &Store) -> Result<i64, sqlx::Error> {
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        .execute(store.pool())
        .await?;
    sqlx::query_scalar(
        "SELECT sum(pg_prewarm(c.oid))::int8 FROM pg_class c
         WHERE c.oid IN ('frontier'::regclass, 'hosts'::regclass, 'urls_pkey'::regclass)
            OR c.oid IN (SELECT indexrelid FROM pg_index
                         WHERE indrelid IN ('frontier'::regclass, 'hosts'::regclass))",
    )
    .fetch_one(store.pool())
    .await
}

/// What is timed: one round of it on one archive.
#[derive(Clone, Copy)]
enum Op {
    Dispatch,
    Counts,
    Batch,
    Search,
}

/// `rounds` rounds of `op`, small and big archive alternating round by round, so a change in the
/// machine's load during the run weighs on both alike. Returns the two medians.
async fn alternate(small: &Store, big: &Store, op: Op, rounds: usize) -> (Duration, Duration) {
    let (mut s, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // A running store folds the counter deltas about once a second (maintenance); without
        // it they would pile up over the rounds (and over `--reuse` runs) in `status`'s read.
        for store in [small, big] {
            sqlx::query("SELECT compact_counters()")
                .execute(store.pool())
                .await
                .unwrap();
        }
        s.push(once(small, op, round).await);
        b.push(once(big, op, round).await);
    }
    (median(s), median(b))
}

async fn once(store: &Store, op: Op, round: usize) -> Duration {
    match op {
        Op::Dispatch => {
            let p = policy();
            let t = Instant::now();
            let jobs = store.claim_due(&p).await.unwrap();
            let took = t.elapsed();
            assert!(!jobs.is_empty(), "the frontier has due URLs");
            store.release(&jobs).await.unwrap();
            took
        }
        Op::Counts => {
            let t = Instant::now();
            let c = store.counts().await.unwrap();
            let took = t.elapsed();
            assert!(c.articles > 0);
            took
        }
        Op::Batch => {
            let p = FrontierPolicy {
                max_in_flight: 64,
                ..policy()
            };
            let jobs = store.claim_due(&p).await.unwrap();
            let msgs: Vec<StoreMsg> = jobs.iter().map(|j| page(j, round)).collect();
            let t = Instant::now();
            let results = store.apply_batch(&msgs, &p).await.unwrap();
            let took = t.elapsed();
            assert!(results.iter().all(Result::is_ok));
            took
        }
        // The search the CLI and the API run (`search_archive`: ranking, snippet spans, a cursor).
        Op::Search => {
            let query = SearchQuery {
                q: SEARCH.to_owned(),
                limit: 10,
                ..SearchQuery::default()
            };
            let t = Instant::now();
            let hits = store.search_archive(&query).await.unwrap().hits;
            let took = t.elapsed();
            assert_eq!(hits.len(), 10);
            took
        }
    }
}

/// A stored page with an article of ~600 words and 20 new in-scope links.
fn page(job: &CrawlJob, round: usize) -> StoreMsg {
    let body = (0..600)
        .map(|i| format!("w{}", (job.url_id as usize).wrapping_add(i * 31) % 20000))
        .collect::<Vec<_>>()
        .join(" ");
    let host = job.url.split('/').nth(2).unwrap_or("h1.test");
    StoreMsg::Page(Box::new(ParsedPage {
        dated: Vec::new(),
        kind: newspipe_model::PageKind::Html,
        feeds: Vec::new(),
        page: FetchedPage {
            v: SCHEMA_VERSION,
            job: job.clone(),
            final_url: job.url.clone(),
            status: 200,
            content_type: Some("text/html".into()),
            etag: None,
            last_modified: None,
            fetched_at: Utc::now(),
            truncated: false,
            charset: "UTF-8".into(),
            body: Zstd::compress(body.as_bytes()),
        },
        is_article: true,
        article: Some(Article {
            title: Some(format!("Scale story {}", job.url_id)),
            authors: vec!["A. Writer".into()],
            body,
            word_count: 600,
            ..Article::default()
        }),
        links: (0..20)
            .map(|i| format!("http://{host}/new/{round}/{}/{i}", job.url_id))
            .collect(),
    }))
}

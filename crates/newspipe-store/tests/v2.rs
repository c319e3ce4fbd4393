//! The v2 data model: the migration from v1 keeps data, counters agree with the tables they
//! count, partitions are kept ahead, failed publishes are released, and concurrent batches that
//! share links, or link to each other's pages, do not deadlock.

mod common;

use chrono::{Datelike, Months, Utc};
use common::*;
use newspipe_store::{Applied, UrlState};

/// Every counter equals the `count(*)` it stands for.
async fn assert_counters_exact(db: &TestDb) {
    let c = db.store.counts().await.unwrap();
    for (state, n) in &c.urls_by_state {
        let real: i64 = sqlx::query_scalar("SELECT count(*) FROM urls WHERE state::text = $1")
            .bind(state.as_str())
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(*n, real, "urls.{}", state.as_str());
    }
    assert_eq!(c.articles, db.i64("SELECT count(*) FROM articles").await);
    assert_eq!(
        c.revisions,
        db.i64("SELECT count(*) FROM article_revisions").await
    );
    assert_eq!(c.pages, db.i64("SELECT count(*) FROM pages").await);
}

#[tokio::test]
async fn v1_data_survives_the_v2_migration() {
    let db = TestDb::new_unmigrated().await;
    db.store.migrate_to(1).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO hosts (host, robots_state, robots_status, robots_txt, crawl_delay_ms)
             VALUES ('a.test', 'ok', 200, 'User-agent: *\nDisallow: /private', 2000);
         INSERT INTO urls (url, host, scope_host, state, depth) VALUES
             ('http://a.test/', 'a.test', 'a.test', 'fetched', 0),
             ('http://a.test/next', 'a.test', 'a.test', 'dispatched', 1),
             ('http://a.test/later', 'a.test', 'a.test', 'queued', 1),
             ('http://a.test/gone', 'a.test', 'a.test', 'failed', 1);
         INSERT INTO pages (url_id, final_url, status, fetched_at, body_zstd) VALUES
             (1, 'http://a.test/', 200, now() - interval '40 days', '\\x00'),
             (1, 'http://a.test/', 200, now(), '\\x01');
         INSERT INTO articles (url, canonical_url, url_id, page_id, title, body, content_hash,
                               first_seen, last_seen, revision_count)
             VALUES ('http://a.test/', 'http://a.test/', 1, 2, 'Second', 'body two', 'h2',
                     now() - interval '40 days', now(), 2);
         INSERT INTO article_revisions (article_id, content_hash, fetched_at, page_id, url,
                                        title, body) VALUES
             (1, 'h1', now() - interval '40 days', 1, 'http://a.test/', 'First', 'body one'),
             (1, 'h2', now(), 2, 'http://a.test/', 'Second', 'body two');",
    )
    .execute(db.pool())
    .await
    .unwrap();

    db.store.migrate().await.unwrap();

    let states: Vec<(String, String, bool)> =
        sqlx::query_as("SELECT url, state::text, id = url_key(url) FROM urls ORDER BY url")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(
        states,
        [
            ("http://a.test/".into(), "fetched".into(), true),
            ("http://a.test/gone".into(), "failed".into(), true),
            // A v1 job cannot be answered any more: back in the queue.
            ("http://a.test/later".into(), "queued".into(), true),
            ("http://a.test/next".into(), "queued".into(), true),
        ]
    );
    assert_eq!(
        db.i64("SELECT count(*) FROM frontier WHERE lease_until IS NULL")
            .await,
        2
    );
    let (title, body, revisions): (String, String, i32) =
        sqlx::query_as("SELECT title, body, revision_count FROM articles_current")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(
        (title.as_str(), body.as_str(), revisions),
        ("Second", "body two", 2)
    );
    let history: Vec<String> =
        sqlx::query_scalar("SELECT body FROM article_revisions ORDER BY fetched_at")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(history, ["body one", "body two"]);
    // Pages keep their bytes and say how to read them; the 40-day-old one has its partition.
    assert_eq!(
        db.i64("SELECT count(*) FROM pages WHERE charset = 'utf-8' AND url_id = url_key('http://a.test/')")
            .await,
        2
    );
    assert_eq!(db.i64("SELECT count(*) FROM pages_default").await, 0);
    assert_counters_exact(&db).await;
    // Old articles become searchable through the backlog.
    assert_eq!(db.store.index_search(100).await.unwrap(), 1);
    assert_eq!(search(&db.store, "two", 10).await.len(), 1);

    // The migrated frontier is crawlable: robots rules and Crawl-delay carried over.
    let p = policy();
    let jobs = db.store.claim_due(&p).await.unwrap();
    let mut urls: Vec<&str> = jobs.iter().map(|j| j.url.as_str()).collect();
    urls.sort();
    assert_eq!(urls, ["http://a.test/later", "http://a.test/next"]);
    assert_eq!(jobs[0].slot_ms, 2500, "Crawl-delay 2 s, slots 5/4 apart");
    db.finish().await;
}

#[tokio::test]
async fn counters_match_the_tables_through_a_crawl() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store
        .enqueue(&urls(&[
            "http://a.test/1",
            "http://a.test/2",
            "http://a.test/3",
        ]))
        .await
        .unwrap();
    let jobs = dispatch_all(
        &db.store,
        &p,
        &["http://a.test/1", "http://a.test/2", "http://a.test/3"],
    )
    .await;
    assert_counters_exact(&db).await;
    let msgs = vec![
        page_msg(
            &jobs[0],
            Utc::now(),
            Some(article("One", "first body", None)),
            &["http://a.test/4", "http://a.test/5", "http://other.test/x"],
        ),
        failure(
            &jobs[1],
            newspipe_model::Disposition::Fail,
            "HTTP 404",
            Some(404),
            None,
        ),
        failure(
            &jobs[2],
            newspipe_model::Disposition::Retry,
            "HTTP 503",
            Some(503),
            None,
        ),
    ];
    let results = db.store.apply_batch(&msgs, &p).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_counters_exact(&db).await;
    db.store.maintain(100).await.unwrap();
    assert_eq!(
        db.i64("SELECT count(*) FROM counter_deltas").await,
        0,
        "folded"
    );
    assert_counters_exact(&db).await;
    let c = db.store.counts().await.unwrap();
    let queued = c
        .urls_by_state
        .iter()
        .find(|(s, _)| *s == UrlState::Queued)
        .unwrap()
        .1;
    assert_eq!(queued, 3, "two new links and the retry");
    db.finish().await;
}

#[tokio::test]
async fn partitions_are_kept_three_months_ahead() {
    let db = TestDb::new().await;
    let ahead = Utc::now()
        .date_naive()
        .checked_add_months(Months::new(3))
        .unwrap();
    let name = format!("pages_{:04}{:02}", ahead.year(), ahead.month());
    let exists = |name: String| {
        let pool = db.pool().clone();
        async move {
            sqlx::query_scalar::<_, bool>("SELECT to_regclass($1) IS NOT NULL")
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP TABLE {name}")))
        .execute(db.pool())
        .await
        .ok();
    assert!(!exists(name.clone()).await);
    let m = db.store.maintain(10).await.unwrap();
    assert!(m.partitions_created >= 1, "{m:?}");
    assert!(exists(name).await);
    assert_eq!(db.store.maintain(10).await.unwrap().partitions_created, 0);
    db.finish().await;
}

#[tokio::test]
async fn a_failed_publish_releases_its_jobs_without_charging_an_attempt() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/1"])).await.unwrap();
    let job = dispatch(&db.store, &p, "http://a.test/1").await;
    // Dispatched is the frontier's lease; the URL stays queued until it settles.
    assert_eq!(db.url_state("http://a.test/1").await.0, "queued");
    assert_eq!(
        db.i64("SELECT count(*) FROM frontier WHERE lease_until IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        db.store.release(std::slice::from_ref(&job)).await.unwrap(),
        1
    );
    let (state, attempts, _, _) = db.url_state("http://a.test/1").await;
    assert_eq!((state.as_str(), attempts), ("queued", 0));
    // Due at once, not after the lease.
    let again = dispatch(&db.store, &p, "http://a.test/1").await;
    assert_eq!((again.url_id, again.attempt), (job.url_id, 0));
    // Releasing an answered job changes nothing.
    db.store
        .apply(&page_msg(&again, Utc::now(), None, &[]), &p)
        .await
        .unwrap();
    assert_eq!(db.store.release(&[again]).await.unwrap(), 0);
    assert_eq!(db.url_state("http://a.test/1").await.0, "fetched");
    db.finish().await;
}

#[tokio::test]
async fn concurrent_batches_sharing_links_never_deadlock() {
    const ROUNDS: usize = 8;
    let db = TestDb::new().await;
    let p = fast_policy();
    let pages: Vec<String> = (0..4 * ROUNDS)
        .map(|i| format!("http://a.test/p{i}"))
        .collect();
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&refs)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &refs).await;
    let mut added = 0;
    for (round, jobs) in jobs.chunks(4).enumerate() {
        // Batch A has a page linking to set X, then one linking to Y; batch B has Y, then X.
        // Written page by page (as v1 did) A holds X and waits for Y while B holds Y and waits
        // for X; written as one sorted statement per batch, one simply waits for the other.
        let set = |name: &str| -> Vec<String> {
            (0..1000)
                .map(|i| format!("http://a.test/r{round}/{name}{i}"))
                .collect()
        };
        let (x, y) = (set("x"), set("y"));
        let x: Vec<&str> = x.iter().map(String::as_str).collect();
        let y: Vec<&str> = y.iter().map(String::as_str).collect();
        let ma = vec![
            page_msg(&jobs[0], Utc::now(), None, &x),
            page_msg(&jobs[1], Utc::now(), None, &y),
        ];
        let mb = vec![
            page_msg(&jobs[2], Utc::now(), None, &y),
            page_msg(&jobs[3], Utc::now(), None, &x),
        ];
        let (ra, rb) = tokio::join!(db.store.apply_batch(&ma, &p), db.store.apply_batch(&mb, &p));
        for r in ra
            .expect("no deadlock")
            .iter()
            .chain(&rb.expect("no deadlock"))
        {
            match r {
                Ok(Applied::Page { links_added, .. }) => added += links_added,
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(
        added,
        2000 * ROUNDS as u64,
        "each new link counted once, on one page"
    );
    assert_eq!(
        db.i64("SELECT count(*) FROM frontier WHERE NOT revisit")
            .await,
        2000 * ROUNDS as i64
    );
    db.finish().await;
}

#[tokio::test]
async fn batches_linking_to_each_others_pages_never_deadlock() {
    const ROUNDS: usize = 8;
    let db = TestDb::new().await;
    let p = fast_policy();
    let pages: Vec<String> = (0..2 * ROUNDS)
        .map(|i| format!("http://a.test/s{i}"))
        .collect();
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&refs)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &refs).await;
    for (round, jobs) in jobs.chunks(2).enumerate() {
        // Each batch settles its own page, then links to the page the other batch settles (as
        // sections and stories link to each other). An insert that met the other batch's
        // uncommitted settle would wait for it while that batch waits for this one's.
        let with = |other: &str, name: &str| -> Vec<String> {
            std::iter::once(other.to_string())
                .chain((0..1000).map(|i| format!("http://a.test/t{round}/{name}{i}")))
                .collect()
        };
        let (la, lb) = (with(refs[2 * round + 1], "a"), with(refs[2 * round], "b"));
        let la: Vec<&str> = la.iter().map(String::as_str).collect();
        let lb: Vec<&str> = lb.iter().map(String::as_str).collect();
        let ma = vec![page_msg(&jobs[0], Utc::now(), None, &la)];
        let mb = vec![page_msg(&jobs[1], Utc::now(), None, &lb)];
        let (ra, rb) = tokio::join!(db.store.apply_batch(&ma, &p), db.store.apply_batch(&mb, &p));
        for r in ra
            .expect("no deadlock")
            .iter()
            .chain(&rb.expect("no deadlock"))
        {
            assert!(matches!(r, Ok(Applied::Page { .. })), "{r:?}");
        }
    }
    db.finish().await;
}

#[tokio::test]
async fn revisions_that_only_restamp_the_date_are_flagged_minor() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let url = "http://a.test/story";
    db.store.enqueue(&urls(&[url])).await.unwrap();
    let body = |stamp: &str, verb: &str| {
        format!(
            "{stamp}\n\nThe council {verb} the budget on Tuesday after a long debate about the \
             harbour and the new bridge."
        )
    };
    let versions = [
        body("Updated 3:45 pm", "approved"),
        // Only the printed stamp moved: a reader sees no change to the story.
        body("Updated 5:10 pm", "approved"),
        // A real edit.
        body("Updated 5:10 pm", "rejected"),
    ];
    let t0 = Utc::now() - chrono::TimeDelta::hours(1);
    for (i, text) in versions.iter().enumerate() {
        let job = dispatch(&db.store, &p, url).await;
        let at = t0 + chrono::TimeDelta::minutes(i as i64);
        db.store
            .apply(
                &page_msg(&job, at, Some(article("Budget", text, None)), &[]),
                &p,
            )
            .await
            .unwrap();
        // Due again for the next version (a revisit, by hand).
        sqlx::query(
            "INSERT INTO frontier (url_id, host_id, url, revisit)
             SELECT id, host_id, url, true FROM urls
             ON CONFLICT (url_id) DO UPDATE SET due_at = now()",
        )
        .execute(db.pool())
        .await
        .unwrap();
    }
    let minor: Vec<bool> =
        sqlx::query_scalar("SELECT minor FROM article_revisions ORDER BY fetched_at")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(minor, [false, true, false]);
    db.finish().await;
}

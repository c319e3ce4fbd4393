//! The dispatcher's summaries against a real Postgres: the in-flight counter (`frontier.leased`)
//! and the per-host due summary (`host_due`) must follow every frontier write, whoever makes it,
//! so a pass can trust them instead of counting and probing the frontier.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::*;
use newspipe_model::Disposition;
use newspipe_store::FrontierPolicy;

/// The in-flight counter as the dispatcher reads it, and the truth.
async fn leased(db: &TestDb) -> (i64, i64) {
    sqlx::query_as(
        "SELECT coalesce((SELECT n FROM counters WHERE name = 'frontier.leased'), 0)
                + coalesce((SELECT sum(n) FROM frontier_lease_deltas), 0)::int8,
                (SELECT count(*) FROM frontier WHERE lease_until IS NOT NULL)",
    )
    .fetch_one(db.pool())
    .await
    .unwrap()
}

/// Queues (host, queue) whose summary, with the hints not folded yet, is later than the
/// earliest waiting row: a URL the dispatcher would not see. Must be none at any time.
async fn hidden(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "WITH truth AS (
             SELECT host_id,
                    min(due_at) FILTER (WHERE NOT revisit) AS new_at,
                    min(due_at) FILTER (WHERE revisit AND hot) AS hot_at,
                    min(due_at) FILTER (WHERE revisit AND NOT hot) AS rest_at
             FROM frontier WHERE lease_until IS NULL GROUP BY host_id
         ), bound AS (
             SELECT host_id, min(new_at) AS new_at, min(hot_at) AS hot_at,
                    min(rest_at) AS rest_at
             FROM (SELECT * FROM host_due UNION ALL SELECT * FROM host_due_hints) x
             GROUP BY host_id
         )
         SELECT t.host_id || ':' || q
         FROM truth t LEFT JOIN bound b USING (host_id),
              LATERAL (VALUES ('new', t.new_at, b.new_at), ('hot', t.hot_at, b.hot_at),
                              ('rest', t.rest_at, b.rest_at)) v (q, truth, bound)
         WHERE v.truth < coalesce(v.bound, 'infinity')
         ORDER BY 1",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
}

async fn assert_summaries(db: &TestDb, step: &str) {
    let (counter, truth) = leased(db).await;
    assert_eq!(counter, truth, "in-flight counter after {step}");
    let status = db.store.counts().await.unwrap().in_flight;
    assert_eq!(status, truth, "status's in-flight count after {step}");
    assert_eq!(
        hidden(db).await,
        Vec::<String>::new(),
        "hidden queues after {step}"
    );
}

#[tokio::test]
async fn summaries_follow_every_frontier_write() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let list = [
        "http://a.test/",
        "http://a.test/retry",
        "http://a.test/fail",
        "http://a.test/requeue",
        "http://b.test/",
        "http://b.test/released",
    ];
    db.store.enqueue(&urls(&list)).await.unwrap();
    assert_summaries(&db, "enqueue").await;
    let jobs = dispatch_all(&db.store, &p, &list).await;
    assert_summaries(&db, "dispatch").await;
    assert_eq!(leased(&db).await.0, 6);

    // A page with links (new rows, a revisit), a retry (due later), a final failure (gone),
    // a slot missed (due now), a publish that failed (released).
    db.store
        .apply(
            &page_msg(&jobs[0], Utc::now(), None, &["http://a.test/new"]),
            &p,
        )
        .await
        .unwrap();
    assert_summaries(&db, "page").await;
    let msgs = [
        failure(&jobs[1], Disposition::Retry, "HTTP 503", Some(503), None),
        failure(&jobs[2], Disposition::Fail, "HTTP 404", Some(404), None),
        failure(&jobs[3], Disposition::Requeue, "slot missed", None, None),
    ];
    db.store.apply_batch(&msgs, &p).await.unwrap();
    assert_summaries(&db, "failures").await;
    db.store.release(&jobs[5..]).await.unwrap();
    assert_summaries(&db, "release").await;
    assert_eq!(leased(&db).await.0, 1, "b.test/ is still out");

    // Folded counters read the same.
    sqlx::query("SELECT fold_frontier_facts()")
        .execute(db.pool())
        .await
        .unwrap();
    assert_summaries(&db, "compact").await;

    // The rest goes out; then the lease of b.test/ and of everything else expires.
    let again = dispatch_all(
        &db.store,
        &p,
        &[
            "http://a.test/new",
            "http://a.test/requeue",
            "http://b.test/released",
        ],
    )
    .await;
    assert_eq!(again.len(), 3);
    assert_summaries(&db, "second dispatch").await;
    let expire = FrontierPolicy {
        lease: Duration::ZERO,
        ..fast_policy()
    };
    sqlx::query(
        "UPDATE frontier SET lease_until = now() - interval '1 second'
                 WHERE lease_until IS NOT NULL",
    )
    .execute(db.pool())
    .await
    .unwrap();
    let re = db.store.claim_due(&expire).await.unwrap();
    assert_summaries(&db, "expiry").await;
    assert_eq!(leased(&db).await.0, re.len() as i64);
    db.finish().await;
}

#[tokio::test]
async fn a_drained_host_is_summarised_by_its_next_revisit() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let job = dispatch(&db.store, &p, "http://a.test/").await;
    db.store
        .apply(&page_msg(&job, Utc::now(), None, &[]), &p)
        .await
        .unwrap();
    // The hub waits for its revisit; a pass finds nothing due and writes down when it will be.
    assert!(db.store.claim_due(&p).await.unwrap().is_empty());
    let (new_at, rest_at, revisit_at): (Option<i64>, Option<i64>, i64) = sqlx::query_as(
        "SELECT extract(epoch FROM d.new_at)::int8, extract(epoch FROM d.rest_at)::int8,
                extract(epoch FROM f.due_at)::int8
         FROM host_due d JOIN frontier f ON f.host_id = d.host_id",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(new_at, None, "no first fetch waits");
    assert_eq!(rest_at, Some(revisit_at), "the revisit's time");
    assert!(revisit_at > Utc::now().timestamp());
    // Due now (as a sitemap date would make it): the next pass sees it.
    sqlx::query("UPDATE frontier SET due_at = now() - interval '1 second'")
        .execute(db.pool())
        .await
        .unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].url, "http://a.test/");
    db.finish().await;
}

#[tokio::test]
async fn a_url_queued_while_a_pass_drains_its_host_is_not_hidden() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    answer_robots(&db.store, &p, Some(404), None).await;
    db.store
        .enqueue(&urls(&["http://a.test/first"]))
        .await
        .unwrap();
    // A writer adds a URL to the host and has not committed when the pass reads the host to
    // its end and writes down that nothing else waits.
    let mut writer = db.pool().begin().await.unwrap();
    sqlx::query(
        "WITH u AS (
             INSERT INTO urls (id, url, host_id) SELECT url_key('http://a.test/late'),
                 'http://a.test/late', id FROM hosts WHERE host = 'a.test'
             RETURNING id, url, host_id
         )
         INSERT INTO frontier (url_id, host_id, url) SELECT id, host_id, url FROM u",
    )
    .execute(&mut *writer)
    .await
    .unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    let got: Vec<&str> = jobs.iter().map(|j| j.url.as_str()).collect();
    assert!(got.contains(&"http://a.test/first"), "{got:?}");
    assert!(!got.contains(&"http://a.test/late"), "{got:?}");
    writer.commit().await.unwrap();
    assert_eq!(hidden(&db).await, Vec::<String>::new());
    let jobs = db.store.claim_due(&p).await.unwrap();
    let got: Vec<&str> = jobs.iter().map(|j| j.url.as_str()).collect();
    assert!(got.contains(&"http://a.test/late"), "{got:?}");
    db.finish().await;
}

#[tokio::test]
async fn a_fold_waits_for_a_pass_raising_the_same_host() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    answer_robots(&db.store, &p, Some(404), None).await;
    // A pass leases the host's last waiting URL and writes "nothing waits" into the summary
    // (its snapshot predates the writer's commit below), as `raise_host_due` does.
    let mut pass = db.pool().begin().await.unwrap();
    sqlx::query("SELECT fold_frontier_facts()")
        .execute(&mut *pass)
        .await
        .unwrap();
    sqlx::query("UPDATE frontier SET lease_until = now() + interval '5 minutes'")
        .execute(&mut *pass)
        .await
        .unwrap();
    sqlx::query("UPDATE host_due SET new_at = NULL")
        .execute(&mut *pass)
        .await
        .unwrap();
    // Meanwhile a URL is queued and committed: its hint lowers nothing the fold can see (the
    // committed summary says "due") but must survive the pass's raise.
    db.store
        .enqueue(&urls(&["http://a.test/late"]))
        .await
        .unwrap();
    let pool = db.pool().clone();
    let fold = tokio::spawn(async move {
        sqlx::query("SELECT fold_frontier_facts()")
            .execute(&pool)
            .await
            .unwrap();
    });
    // The fold either finishes (it dropped the hint) or waits for the pass's lock.
    while !fold.is_finished() {
        let waiting = db
            .i64("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            .await;
        if waiting > 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    pass.commit().await.unwrap();
    fold.await.unwrap();
    assert_eq!(hidden(&db).await, Vec::<String>::new());
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].url, "http://a.test/late");
    db.finish().await;
}

#[tokio::test]
async fn migration_summarises_an_existing_frontier() {
    let db = TestDb::new_unmigrated().await;
    // The schema before the summaries, with a queue in it.
    db.store.migrate_to(5).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO hosts (host, robots_state, robots_status, robots_fetched_at)
         VALUES ('a.test', 'ok', 404, now()), ('b.test', 'ok', 404, now());
         INSERT INTO urls (id, url, host_id)
         SELECT url_key(u), u, h FROM (VALUES ('http://a.test/1', 1), ('http://a.test/2', 1),
                                              ('http://b.test/1', 2)) x (u, h);
         INSERT INTO frontier (url_id, host_id, url, due_at, lease_until)
         SELECT id, host_id, url, now() - interval '1 minute',
                CASE WHEN url LIKE '%/2' THEN now() + interval '5 minutes' END
         FROM urls",
    )
    .execute(db.pool())
    .await
    .unwrap();
    db.store.migrate().await.unwrap();
    assert_summaries(&db, "migration").await;
    assert_eq!(leased(&db).await.0, 1);
    assert_eq!(db.i64("SELECT count(*) FROM host_due").await, 2);
    let jobs = db.store.claim_due(&fast_policy()).await.unwrap();
    assert_eq!(jobs.len(), 2);
    db.finish().await;
}

#[tokio::test]
async fn a_hand_back_frees_every_lease_out_but_not_a_newer_one_nor_a_backoff() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let list = ["http://a.test/1", "http://a.test/2", "http://b.test/1"];
    db.store.enqueue(&urls(&list)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &list).await;
    // A new host's robots.txt job out (its lease is `robots_retry_at`), another host in a
    // 5xx backoff (no job out), and a lease a replica granted after the hand-back began.
    db.store
        .enqueue(&urls(&["http://c.test/1", "http://d.test/1"]))
        .await
        .unwrap();
    let robots = db.store.claim_due(&p).await.unwrap();
    assert_eq!(robots.len(), 2, "{robots:?}");
    sqlx::query(
        "UPDATE hosts SET robots_state = 'unknown', robots_retry_at = now() + interval '60 s'
         WHERE host = 'd.test'",
    )
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE frontier SET lease_until = now() + interval '301 s'
         WHERE url_id = $1",
    )
    .bind(jobs[2].url_id)
    .execute(db.pool())
    .await
    .unwrap();

    let handed_back = db.store.release_all_leases(&p).await.unwrap();
    assert_eq!(handed_back, 2);
    assert_summaries(&db, "hand-back").await;
    let rows: Vec<(String, bool, i32)> = sqlx::query_as(
        "SELECT u.url, f.lease_until IS NULL, f.attempts FROM frontier f
         JOIN urls u ON u.id = f.url_id ORDER BY u.url",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let out = |u: &str| rows.iter().find(|r| r.0 == u).unwrap().clone();
    assert_eq!(out("http://a.test/1"), ("http://a.test/1".into(), true, 0));
    assert_eq!(out("http://a.test/2"), ("http://a.test/2".into(), true, 0));
    assert!(!out("http://b.test/1").1, "the newer lease stands");
    let hosts: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT host, robots_state::text, robots_retry_at <= now() FROM hosts
         WHERE host IN ('c.test', 'd.test') ORDER BY host",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(
        hosts,
        vec![
            ("c.test".into(), "unknown".into(), true),
            ("d.test".into(), "unknown".into(), false),
        ],
        "the robots job is handed back, the backoff stands"
    );
    // What went back is dispatched again at once.
    let again = dispatch_all(&db.store, &p, &["http://a.test/1", "http://a.test/2"]).await;
    assert_eq!(again.len(), 2);
    db.finish().await;
}

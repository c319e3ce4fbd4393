//! Store behaviour against a real Postgres: schema, frontier, dispatcher scheduling, archive
//! writes, failure transitions, search. Each test runs in a database of its own.

mod common;

use std::{collections::HashSet, time::Duration};

use chrono::{TimeDelta, Utc};
use common::*;
use newspipe_model::{Disposition, JobKind};
use newspipe_store::{Applied, FrontierPolicy, SearchQuery, UrlState};

#[tokio::test]
async fn migrate_twice_is_fine() {
    let db = TestDb::new().await;
    db.store.migrate().await.unwrap();
    db.store.migrate().await.unwrap();
    assert_eq!(db.i64("SELECT count(*) FROM urls").await, 0);
    db.finish().await;
}

#[tokio::test]
async fn enqueue_twice_keeps_one_row() {
    let db = TestDb::new().await;
    let seeds = urls(&["http://a.test/", "http://b.test:8080/x", "http://a.test/"]);
    let r = db.store.enqueue(&seeds).await.unwrap();
    assert_eq!((r.added, r.already_known), (2, 1));
    let r = db.store.enqueue(&seeds).await.unwrap();
    assert_eq!((r.added, r.already_known), (0, 3));
    assert_eq!(db.i64("SELECT count(*) FROM urls").await, 2);
    assert_eq!(db.i64("SELECT count(*) FROM hosts").await, 2);
    let (host, id_is_key, depth): (String, bool, i32) = sqlx::query_as(
        "SELECT h.host, u.id = url_key(u.url), u.depth
         FROM urls u JOIN hosts h ON h.id = u.host_id
         WHERE u.url = 'http://b.test:8080/x'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!((host.as_str(), id_is_key, depth), ("b.test:8080", true, 0));
    db.finish().await;
}

#[tokio::test]
async fn a_missed_robots_slot_is_booked_again_at_once() {
    let db = TestDb::new().await;
    let p = policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs[0].kind, JobKind::Robots);
    // The crawler started too late for the slot and handed the job back, unattempted.
    let missed = failure(
        &jobs[0],
        Disposition::Requeue,
        "missed host slot",
        None,
        None,
    );
    db.store.apply(&missed, &p).await.unwrap();
    let again = db.store.claim_due(&p).await.unwrap();
    assert_eq!(
        again.len(),
        1,
        "robots.txt is booked again without a backoff"
    );
    assert_eq!(again[0].kind, JobKind::Robots);
    assert!(
        again[0].not_before_ms > jobs[0].not_before_ms,
        "in a later slot"
    );
    assert_eq!(
        db.i64("SELECT error_streak::int8 FROM hosts").await,
        0,
        "not a failure"
    );
    db.finish().await;
}

#[tokio::test]
async fn robots_job_comes_first_and_pages_wait_for_it() {
    let db = TestDb::new().await;
    let p = policy();
    db.store
        .enqueue(&urls(&["http://a.test/", "http://a.test/news"]))
        .await
        .unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let robots = &jobs[0];
    assert_eq!(robots.kind, JobKind::Robots);
    assert_eq!(robots.url, "http://a.test/robots.txt");
    assert_eq!(robots.host, "a.test");
    assert_eq!(robots.slot_ms, 1250);
    // While robots.txt is out, nothing else goes for this host.
    assert!(db.store.claim_due(&p).await.unwrap().is_empty());
    assert!(!db.store.is_drained().await.unwrap());

    let msg = robots_msg(robots, Some(404), None);
    let applied = db.store.apply(&msg, &p).await.unwrap();
    assert_eq!(applied, Applied::Robots { ok: true });
    // The same robots message again changes nothing.
    assert_eq!(db.store.apply(&msg, &p).await.unwrap(), Applied::Unchanged);
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.kind == JobKind::Page));
    // The first page slot comes one interval after the robots request.
    assert!(jobs[0].not_before_ms - robots.not_before_ms >= 1250);
    assert_eq!(jobs[1].not_before_ms - jobs[0].not_before_ms, 1250);
    db.finish().await;
}

#[tokio::test]
async fn robots_rules_skip_disallowed_and_space_by_crawl_delay() {
    let db = TestDb::new().await;
    let p = policy();
    let list = [
        "http://a.test/1",
        "http://a.test/2",
        "http://a.test/private/x",
        "http://a.test/3",
        "http://a.test/4",
    ];
    db.store.enqueue(&urls(&list)).await.unwrap();
    let robots = "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n";
    assert!(
        answer_robots(&db.store, &p, Some(200), Some(robots))
            .await
            .is_empty()
    );
    let before = Utc::now();
    let jobs = db.store.claim_due(&p).await.unwrap();
    let (state, _, reason, _) = db.url_state("http://a.test/private/x").await;
    assert_eq!(state, "skipped");
    assert_eq!(reason.as_deref(), Some("disallowed by robots.txt"));
    // Slots are interval × 5/4 apart: robots at t0, pages from t0+1.25s every 2.5s (Crawl-delay
    // 2s) up to now+5s: 2 of 4 fit.
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    for w in jobs.windows(2) {
        assert_eq!(w[1].not_before_ms - w[0].not_before_ms, 2500);
    }
    assert!(jobs.iter().all(|j| j.slot_ms == 2500));
    let horizon_end = (Utc::now() + TimeDelta::seconds(5)).timestamp_millis();
    assert!(jobs.iter().all(|j| j.not_before_ms <= horizon_end));
    assert!(jobs[0].not_before_ms >= before.timestamp_millis() - 2500);
    // The third does not fit in the horizon yet.
    assert!(db.store.claim_due(&p).await.unwrap().is_empty());
    let crawl_delay = db.i64("SELECT crawl_delay_ms::int8 FROM hosts").await;
    assert_eq!(crawl_delay, 2000);
    db.finish().await;
}

#[tokio::test]
async fn robots_server_error_blocks_the_host_then_gives_up() {
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        backoff_base: Duration::ZERO,
        max_attempts: 2,
        ..policy()
    };
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    let r = db
        .store
        .apply(&robots_msg(&jobs[0], Some(503), None), &p)
        .await
        .unwrap();
    assert_eq!(r, Applied::Robots { ok: false });
    // 5xx = disallow for now: robots.txt is asked for again, no page goes out.
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, JobKind::Robots);
    db.store
        .apply(&robots_msg(&jobs[0], None, None), &p)
        .await
        .unwrap();
    let (state, _, reason, _) = db.url_state("http://a.test/").await;
    assert_eq!(state, "failed");
    assert!(reason.unwrap().contains("robots.txt unreachable"));
    assert!(db.store.is_drained().await.unwrap());
    db.finish().await;
}

#[tokio::test]
async fn concurrent_claims_never_hand_out_the_same_url() {
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        max_in_flight: 10_000,
        ..fast_policy()
    };
    let mut seeds = Vec::new();
    for h in 0..6 {
        for i in 0..150 {
            seeds.push(format!("http://h{h}.test/p/{i}"));
        }
    }
    let seed_refs: Vec<&str> = seeds.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&seed_refs)).await.unwrap();
    answer_robots(&db.store, &p, Some(404), None).await;
    // Small per-call budget so the two dispatchers interleave over many passes.
    let p = FrontierPolicy {
        max_in_flight: 40,
        ..p
    };
    let mut seen = HashSet::new();
    let mut total = 0;
    for _ in 0..200 {
        let (a, b) = tokio::join!(db.store.claim_due(&p), db.store.claim_due(&p));
        let (a, b) = (a.unwrap(), b.unwrap());
        if a.is_empty() && b.is_empty() && db.store.is_drained().await.unwrap() {
            break;
        }
        for j in a.iter().chain(&b) {
            assert!(seen.insert(j.url_id), "url {} handed out twice", j.url);
            total += 1;
        }
        // Finish them so the in-flight budget frees up.
        let ids: Vec<i64> = a.iter().chain(&b).map(|j| j.url_id).collect();
        sqlx::query(
            "WITH gone AS (DELETE FROM frontier WHERE url_id = ANY($1))
             UPDATE urls SET state = 'fetched' WHERE id = ANY($1)",
        )
        .bind(&ids)
        .execute(db.pool())
        .await
        .unwrap();
    }
    assert_eq!(total, 900);
    db.finish().await;
}

#[tokio::test]
async fn in_flight_cap_is_respected() {
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        max_in_flight: 7,
        ..fast_policy()
    };
    let seeds: Vec<String> = (0..30).map(|i| format!("http://a.test/{i}")).collect();
    let refs: Vec<&str> = seeds.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&refs)).await.unwrap();
    answer_robots(&db.store, &p, Some(404), None).await;
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 7);
    assert!(jobs.iter().all(|j| j.slot_ms == 0));
    assert!(db.store.claim_due(&p).await.unwrap().is_empty());
    db.finish().await;
}

#[tokio::test]
async fn in_flight_cap_holds_when_more_hosts_are_due_than_the_cap() {
    // Each due host gets a share of the budget: 30 hosts and a cap of 7 must still give 7 jobs,
    // not one for every host.
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        max_in_flight: 7,
        ..fast_policy()
    };
    let seeds: Vec<String> = (0..30)
        .flat_map(|h| (0..2).map(move |i| format!("http://h{h}.test/{i}")))
        .collect();
    let refs: Vec<&str> = seeds.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&refs)).await.unwrap();
    // Every host's robots.txt answered first (a pass with room for all 30).
    let robots = answer_robots(&db.store, &fast_policy(), Some(404), None).await;
    assert!(robots.is_empty());
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 7);
    assert!(db.store.claim_due(&p).await.unwrap().is_empty());
    db.finish().await;
}

#[tokio::test]
async fn expired_lease_is_dispatched_again() {
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        lease: Duration::ZERO,
        ..fast_policy()
    };
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let first = dispatch(&db.store, &p, "http://a.test/").await;
    assert_eq!(first.attempt, 0);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let again = db.store.claim_due(&p).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].url_id, first.url_id);
    assert_eq!(again[0].attempt, 1, "the lost try counts");
    // A late answer to the lost job is fenced out.
    let late = failure(&first, Disposition::Retry, "timeout", None, None);
    assert_eq!(db.store.apply(&late, &p).await.unwrap(), Applied::Unchanged);
    db.finish().await;
}

#[tokio::test]
async fn page_stores_article_and_links_once() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let home = dispatch(&db.store, &p, "http://a.test/").await;
    let links = [
        "http://a.test/a",
        "http://a.test/b",
        "http://a.test/a",
        "http://other.test/x",
        "https://a.test:8443/y",
        "mailto:x@a.test",
        "ftp://a.test/z",
        "http://a.test/c?utm_source=feed",
    ];
    let at = Utc::now();
    let msg = page_msg(
        &home,
        at,
        Some(article("Home story", "the quick brown fox", None)),
        &links,
    );
    let applied = db.store.apply(&msg, &p).await.unwrap();
    let Applied::Page {
        article_id,
        new_revision,
        links_added,
        url_updated,
        ..
    } = applied
    else {
        panic!("{applied:?}");
    };
    assert!(article_id.is_some() && new_revision && url_updated);
    assert_eq!(links_added, 3, "a, b and c (tracking parameter dropped)");
    let depths = db
        .i64(
            "SELECT count(*) FROM urls u JOIN frontier f ON f.url_id = u.id
             WHERE u.depth = 1 AND u.state = 'queued' AND f.lease_until IS NULL",
        )
        .await;
    assert_eq!(depths, 3);
    let (state, _, _, status) = db.url_state("http://a.test/").await;
    assert_eq!((state.as_str(), status), ("fetched", Some(200)));
    let is_article: bool =
        sqlx::query_scalar("SELECT is_article FROM urls WHERE url = 'http://a.test/'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(is_article);

    // Redelivery: nothing changes.
    let before = db.store.counts().await.unwrap();
    assert_eq!(db.store.apply(&msg, &p).await.unwrap(), Applied::Unchanged);
    let after = db.store.counts().await.unwrap();
    assert_eq!(before, after);
    assert_eq!((after.articles, after.revisions, after.pages), (1, 1, 1));

    // Depth 1 page: its links go in at depth 2 = max_depth; from depth 2 nothing is followed.
    let a = dispatch(&db.store, &p, "http://a.test/a").await;
    let r = db
        .store
        .apply(&page_msg(&a, Utc::now(), None, &["http://a.test/deep"]), &p)
        .await
        .unwrap();
    assert!(
        matches!(
            r,
            Applied::Page {
                links_added: 1,
                article_id: None,
                ..
            }
        ),
        "{r:?}"
    );
    let deep = dispatch(&db.store, &p, "http://a.test/deep").await;
    assert_eq!(deep.depth, 2);
    let r = db
        .store
        .apply(
            &page_msg(&deep, Utc::now(), None, &["http://a.test/deeper"]),
            &p,
        )
        .await
        .unwrap();
    assert!(matches!(r, Applied::Page { links_added: 0, .. }), "{r:?}");
    assert_eq!(
        db.i64("SELECT count(*) FROM urls WHERE url = 'http://a.test/deeper'")
            .await,
        0
    );
    db.finish().await;
}

#[tokio::test]
async fn url_keys_made_by_the_store_equal_the_schemas() {
    // The store computes `url_key` itself (frontier.rs); every reader finds a URL by SQL's
    // `url_key(url)`, so the two must agree on every row, seeds and links alike.
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store
        .enqueue(&urls(&["http://a.test/", "http://bücher.test/straße?q=é"]))
        .await
        .unwrap();
    let home = dispatch(&db.store, &p, "http://a.test/").await;
    let links = [
        "http://a.test/ünï",
        "http://a.test/x y",
        "http://a.test/plain",
    ];
    let msg = page_msg(&home, Utc::now(), None, &links);
    let applied = db.store.apply(&msg, &p).await.unwrap();
    assert!(
        matches!(applied, Applied::Page { links_added: 3, .. }),
        "{applied:?}"
    );
    assert_eq!(db.i64("SELECT count(*) FROM urls").await, 5);
    assert_eq!(
        db.i64("SELECT count(*) FROM urls WHERE id <> url_key(url)")
            .await,
        0
    );
    assert_eq!(
        db.i64("SELECT count(*) FROM frontier WHERE url_id <> url_key(url)")
            .await,
        0
    );
    db.finish().await;
}

#[tokio::test]
async fn links_the_store_knows_are_stored_are_not_asked_about_again() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let pages = ["http://a.test/1", "http://a.test/2", "http://a.test/3"];
    db.store.enqueue(&urls(&pages)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &pages).await;
    let link = ["http://a.test/x"];
    let added = |r: Applied| match r {
        Applied::Page { links_added, .. } => links_added,
        other => panic!("{other:?}"),
    };
    let r = db
        .store
        .apply(&page_msg(&jobs[0], Utc::now(), None, &link), &p)
        .await;
    assert_eq!(added(r.unwrap()), 1);
    // Behind the store's back (newspipe never deletes a URL), the row goes.
    sqlx::query("DELETE FROM urls WHERE url = $1")
        .bind(link[0])
        .execute(db.pool())
        .await
        .unwrap();
    // This store remembers the link as stored and does not ask Postgres again...
    let r = db
        .store
        .apply(&page_msg(&jobs[1], Utc::now(), None, &link), &p)
        .await;
    assert_eq!(added(r.unwrap()), 0);
    assert_eq!(
        db.i64("SELECT count(*) FROM urls WHERE url = 'http://a.test/x'")
            .await,
        0
    );
    // ...a store without that memory asks, and Postgres judges.
    let fresh = newspipe_store::Store::from_pool(db.pool().clone());
    let r = fresh
        .apply(&page_msg(&jobs[2], Utc::now(), None, &link), &p)
        .await;
    assert_eq!(added(r.unwrap()), 1);
    assert_eq!(
        db.i64("SELECT count(*) FROM frontier WHERE url = 'http://a.test/x'")
            .await,
        1
    );
    db.finish().await;
}

#[tokio::test]
async fn revisions_only_when_content_changes() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let canonical = "http://a.test/story";
    db.store
        .enqueue(&urls(&[
            "http://a.test/story?page=1",
            "http://a.test/story?page=2",
        ]))
        .await
        .unwrap();
    let jobs = dispatch_all(
        &db.store,
        &p,
        &["http://a.test/story?page=1", "http://a.test/story?page=2"],
    )
    .await;
    let (j1, j2) = (&jobs[0], &jobs[1]);
    let t0 = Utc::now();
    let v1 = article("Title", "first version of the body", Some(canonical));
    db.store
        .apply(&page_msg(j1, t0, Some(v1.clone()), &[]), &p)
        .await
        .unwrap();

    // Another URL with the same canonical and the same content: same article, no revision.
    let r = db
        .store
        .apply(
            &page_msg(j2, t0 + TimeDelta::seconds(1), Some(v1.clone()), &[]),
            &p,
        )
        .await
        .unwrap();
    assert!(
        matches!(
            r,
            Applied::Page {
                new_revision: false,
                ..
            }
        ),
        "{r:?}"
    );
    assert_eq!(db.i64("SELECT count(*) FROM articles").await, 1);
    assert_eq!(db.i64("SELECT count(*) FROM article_revisions").await, 1);

    // A refetch with changed content: second revision, article shows the new body.
    let v2 = article(
        "Title",
        "second version of the body, corrected",
        Some(canonical),
    );
    let r = db
        .store
        .apply(&page_msg(j1, t0 + TimeDelta::seconds(2), Some(v2), &[]), &p)
        .await
        .unwrap();
    assert!(
        matches!(
            r,
            Applied::Page {
                new_revision: true,
                // A later fetch moves the URL's record forward.
                url_updated: true,
                ..
            }
        ),
        "{r:?}"
    );
    let (body, count): (String, i32) = sqlx::query_as(
        "SELECT body, revision_count FROM articles_current WHERE canonical_url = $1",
    )
    .bind(canonical)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(
        (body.as_str(), count),
        ("second version of the body, corrected", 2)
    );
    assert_eq!(db.i64("SELECT count(*) FROM article_revisions").await, 2);
    assert_eq!(db.i64("SELECT count(*) FROM pages").await, 3);
    db.finish().await;
}

#[tokio::test]
async fn nul_bytes_are_stripped() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let j = dispatch(&db.store, &p, "http://a.test/").await;
    let mut a = article("Ti\0tle", "bo\0dy text", None);
    a.authors = vec!["A\0B".into()];
    db.store
        .apply(&page_msg(&j, Utc::now(), Some(a), &[]), &p)
        .await
        .unwrap();
    let (title, body): (String, String) =
        sqlx::query_as("SELECT title, body FROM articles_current")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!((title.as_str(), body.as_str()), ("Title", "body text"));
    db.finish().await;
}

#[tokio::test]
async fn failure_transitions_are_fenced() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let list = [
        "http://a.test/retry",
        "http://a.test/fail",
        "http://a.test/skip",
        "http://a.test/requeue",
    ];
    db.store.enqueue(&urls(&list)).await.unwrap();
    let mut jobs = answer_robots(&db.store, &p, Some(404), None).await;
    jobs.extend(db.store.claim_due(&p).await.unwrap());
    let job = |u: &str| jobs.iter().find(|j| j.url == u).unwrap().clone();

    // Retry: back in the queue later, attempts + 1, Retry-After blocks the host.
    let retry = failure(
        &job(list[0]),
        Disposition::Retry,
        "HTTP 503",
        Some(503),
        Some(120),
    );
    assert_eq!(
        db.store.apply(&retry, &p).await.unwrap(),
        Applied::Url {
            state: UrlState::Queued
        }
    );
    assert_eq!(
        db.store.apply(&retry, &p).await.unwrap(),
        Applied::Unchanged
    );
    let (state, attempts, reason, status) = db.url_state(list[0]).await;
    assert_eq!(
        (state.as_str(), attempts, reason.as_deref(), status),
        ("queued", 1, Some("HTTP 503"), Some(503))
    );
    let wait = db
        .i64(
            "SELECT extract(epoch FROM f.due_at - now())::int8
             FROM frontier f JOIN urls u ON u.id = f.url_id WHERE u.url = 'http://a.test/retry'",
        )
        .await;
    assert!((10..=30).contains(&wait), "backoff {wait}s");
    let blocked = db
        .i64("SELECT extract(epoch FROM blocked_until - now())::int8 FROM hosts WHERE host = 'a.test'")
        .await;
    assert!((110..=120).contains(&blocked), "blocked {blocked}s");
    assert_eq!(db.i64("SELECT error_streak::int8 FROM hosts").await, 1);

    // Fail and Skip: final, with the reason; duplicates change nothing.
    let fail = failure(
        &job(list[1]),
        Disposition::Fail,
        "HTTP 404",
        Some(404),
        None,
    );
    assert_eq!(
        db.store.apply(&fail, &p).await.unwrap(),
        Applied::Url {
            state: UrlState::Failed
        }
    );
    assert_eq!(db.store.apply(&fail, &p).await.unwrap(), Applied::Unchanged);
    let (state, _, reason, status) = db.url_state(list[1]).await;
    assert_eq!(
        (state.as_str(), reason.as_deref(), status),
        ("failed", Some("HTTP 404"), Some(404))
    );
    let skip = failure(
        &job(list[2]),
        Disposition::Skip,
        "not HTML: image/png",
        Some(200),
        None,
    );
    assert_eq!(
        db.store.apply(&skip, &p).await.unwrap(),
        Applied::Url {
            state: UrlState::Skipped
        }
    );
    let (state, _, reason, _) = db.url_state(list[2]).await;
    assert_eq!(
        (state.as_str(), reason.as_deref()),
        ("skipped", Some("not HTML: image/png"))
    );

    // Requeue: due at once, attempt not counted.
    let requeue = failure(
        &job(list[3]),
        Disposition::Requeue,
        "slot missed",
        None,
        None,
    );
    assert_eq!(
        db.store.apply(&requeue, &p).await.unwrap(),
        Applied::Url {
            state: UrlState::Queued
        }
    );
    assert_eq!(
        db.store.apply(&requeue, &p).await.unwrap(),
        Applied::Unchanged
    );
    let (state, attempts, _, _) = db.url_state(list[3]).await;
    assert_eq!((state.as_str(), attempts), ("queued", 0));
    // Blocked host (Retry-After 120 s) gets nothing within the 5 s horizon.
    assert!(db.store.claim_due(&p).await.unwrap().is_empty());
    db.finish().await;
}

#[tokio::test]
async fn retries_end_in_failed_after_max_attempts() {
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        backoff_base: Duration::ZERO,
        max_attempts: 3,
        ..fast_policy()
    };
    let u = "http://a.test/flaky";
    db.store.enqueue(&urls(&[u])).await.unwrap();
    for attempt in 0..3 {
        let j = dispatch(&db.store, &p, u).await;
        assert_eq!(j.attempt, attempt);
        db.store
            .apply(&failure(&j, Disposition::Retry, "timeout", None, None), &p)
            .await
            .unwrap();
    }
    let (state, attempts, reason, _) = db.url_state(u).await;
    assert_eq!((state.as_str(), attempts), ("failed", 3));
    assert_eq!(reason.as_deref(), Some("gave up after 3 attempts: timeout"));
    assert!(db.store.is_drained().await.unwrap());
    db.finish().await;
}

#[tokio::test]
async fn search_finds_a_phrase_and_counts_add_up() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store
        .enqueue(&urls(&["http://a.test/1", "http://a.test/2"]))
        .await
        .unwrap();
    let jobs = dispatch_all(&db.store, &p, &["http://a.test/1", "http://a.test/2"]).await;
    let (j1, j2) = (&jobs[0], &jobs[1]);
    let body = "Leaders met in Paris.\n\nThe coalition of the willing agreed on a plan for Kyiv.";
    db.store
        .apply(
            &page_msg(
                j1,
                Utc::now(),
                Some(article("Summit ends", body, None)),
                &[],
            ),
            &p,
        )
        .await
        .unwrap();
    db.store
        .apply(
            &page_msg(
                j2,
                Utc::now(),
                Some(article(
                    "Weather",
                    "Willing to rain, said the coalition forecast.",
                    None,
                )),
                &[],
            ),
            &p,
        )
        .await
        .unwrap();
    // Searchable from the commit that stored it: nothing is left for the backfill.
    assert_eq!(db.store.index_search(100).await.unwrap(), 0);
    // On plain prose the store's tokenizer gives what Postgres's own would, weights and
    // positions included.
    assert_eq!(
        db.i64(
            "SELECT count(*) FROM article_search s JOIN articles_current a ON a.id = s.article_id
             WHERE s.doc = setweight(to_tsvector('simple', a.title), 'A')
                           || setweight(to_tsvector('simple', a.body), 'B')"
        )
        .await,
        2
    );
    let hits = search(&db.store, "\"coalition of the willing\"", 10).await;
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].article.canonical_url, "http://a.test/1");
    assert_eq!(hits[0].article.title.as_deref(), Some("Summit ends"));
    assert!(
        marked(&hits[0]).contains("[coalition]"),
        "{}",
        marked(&hits[0])
    );
    assert!(hits[0].rank > 0.0);
    // Plain words must all match; one word matches both.
    let hits = search(&db.store, "coalition weather", 10).await;
    assert_eq!(hits.len(), 1);
    let hits = search(&db.store, "coalition", 10).await;
    assert_eq!(hits.len(), 2);
    // An empty query is refused, not answered with nothing.
    let empty = SearchQuery {
        q: "  ".into(),
        limit: 10,
        ..SearchQuery::default()
    };
    assert!(db.store.search_archive(&empty).await.is_err());

    let c = db.store.counts().await.unwrap();
    assert_eq!(
        c.urls_by_state,
        vec![
            (UrlState::Queued, 0),
            (UrlState::Dispatched, 0),
            (UrlState::Fetched, 2),
            (UrlState::Skipped, 0),
            (UrlState::Failed, 0),
        ]
    );
    assert_eq!(
        (c.articles, c.revisions, c.pages, c.fetched_last_minute),
        (2, 2, 2, 2)
    );
    assert!(db.store.is_drained().await.unwrap());
    db.finish().await;
}

#[tokio::test]
async fn documents_from_the_old_tokenizer_are_rebuilt_and_a_held_article_waits() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/c"])).await.unwrap();
    let j = dispatch(&db.store, &p, "http://a.test/c").await;
    let msg = page_msg(
        &j,
        Utc::now(),
        Some(article("Cases", "Covid-19 cases fell again.", None)),
        &[],
    );
    db.store.apply(&msg, &p).await.unwrap();
    assert_eq!(search(&db.store, "covid-19", 10).await.len(), 1);
    // A document as the v2 indexer built it: Postgres's parser reads `covid-19` as `covid`
    // and `-19`, so the phrase the query asks for is not in it.
    sqlx::query(
        "UPDATE article_search SET doc = to_tsvector('simple', 'Covid-19 cases fell again.')",
    )
    .execute(db.pool())
    .await
    .unwrap();
    assert!(search(&db.store, "covid-19", 10).await.is_empty());
    sqlx::raw_sql(include_str!("../migrations/0005_search_tokens.sql"))
        .execute(db.pool())
        .await
        .unwrap();
    // While a store holds the article, the backfill leaves it queued.
    let mut holder = db.pool().begin().await.unwrap();
    sqlx::query("SELECT id FROM articles FOR UPDATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    assert_eq!(db.store.index_search(100).await.unwrap(), 0);
    holder.commit().await.unwrap();
    assert_eq!(db.i64("SELECT count(*) FROM search_backlog").await, 1);
    assert_eq!(db.store.index_search(100).await.unwrap(), 1);
    assert_eq!(db.i64("SELECT count(*) FROM search_backlog").await, 0);
    let hits = search(&db.store, "covid-19", 10).await;
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(marked(&hits[0]).contains("[Covid]"), "{}", marked(&hits[0]));
    db.finish().await;
}

#[tokio::test]
async fn a_late_failure_in_the_same_batch_sees_the_page_that_settled_its_job() {
    // Frontier rows are rewritten at the end of a batch; an outcome for the same job later in
    // the batch must still find the lease the page ended.
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        revisit: newspipe_store::RevisitPolicy::default(),
        ..fast_policy()
    };
    let u = "http://a.test/twice";
    db.store
        .enqueue(&urls(&[u, "http://a.test/other"]))
        .await
        .unwrap();
    let jobs = dispatch_all(&db.store, &p, &[u, "http://a.test/other"]).await;
    let j = jobs.iter().find(|j| j.url == u).unwrap();
    // Undated, so the story is revisited (its row stays) rather than settled for good.
    let mut story = article("Twice", "Body.", None);
    story.published_at = None;
    let msgs = [
        page_msg(j, Utc::now(), Some(story), &[]),
        failure(j, Disposition::Retry, "timeout", None, None),
    ];
    let out = db.store.apply_batch(&msgs, &p).await.unwrap();
    assert!(matches!(out[0], Ok(Applied::Page { .. })), "{out:?}");
    assert!(matches!(out[1], Ok(Applied::Unchanged)), "{out:?}");
    let (state, attempts, reason, _) = db.url_state(u).await;
    assert_eq!((state.as_str(), attempts, reason), ("fetched", 0, None));
    // The row waits for its revisit, unleased.
    assert_eq!(
        db.i64(
            "SELECT count(*) FROM frontier f JOIN urls u ON u.id = f.url_id
             WHERE u.url = 'http://a.test/twice' AND f.revisit AND f.lease_until IS NULL
               AND f.attempts = 0"
        )
        .await,
        1
    );
    db.finish().await;
}

#[tokio::test]
async fn concurrent_dispatchers_keep_one_host_schedule() {
    let db = TestDb::new().await;
    let p = policy();
    let seeds: Vec<String> = (0..30).map(|i| format!("http://a.test/{i}")).collect();
    let refs: Vec<&str> = seeds.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&refs)).await.unwrap();
    let mut slots: Vec<i64> = answer_robots(&db.store, &p, Some(404), None)
        .await
        .iter()
        .map(|j| j.not_before_ms)
        .collect();
    for round in 0..3 {
        if round > 0 {
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        let (a, b, c) = tokio::join!(
            db.store.claim_due(&p),
            db.store.claim_due(&p),
            db.store.claim_due(&p)
        );
        for j in a.unwrap().iter().chain(&b.unwrap()).chain(&c.unwrap()) {
            slots.push(j.not_before_ms);
        }
    }
    slots.sort_unstable();
    // Slots are interval × 5/4 apart (see newspipe_model::slot_spacing).
    assert!(slots.len() >= 5, "{slots:?}");
    for w in slots.windows(2) {
        assert!(
            w[1] - w[0] >= 1000,
            "slots closer than the interval: {slots:?}"
        );
    }
    db.finish().await;
}

#[tokio::test]
async fn errors_say_whether_to_retry() {
    let down = newspipe_store::Store::connect("postgres://postgres@127.0.0.1:1/none", 1).await;
    assert!(down.expect_err("nothing listens on port 1").is_transient());

    let db = TestDb::new().await;
    let p = fast_policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let mut job = dispatch(&db.store, &p, "http://a.test/").await;
    job.url_id = 999_999;
    let err = db
        .store
        .apply(&page_msg(&job, Utc::now(), None, &[]), &p)
        .await
        .unwrap_err();
    assert!(!err.is_transient(), "{err}");
    db.finish().await;
}

/// Throughput of `apply` for article pages with 100 links each (run with `--ignored`).
#[tokio::test]
#[ignore = "benchmark"]
async fn bench_apply_pages() {
    let db = TestDb::new().await;
    let p = FrontierPolicy {
        max_depth: 10,
        max_in_flight: 100_000,
        ..fast_policy()
    };
    let n = 1000;
    let seeds: Vec<String> = (0..n).map(|i| format!("http://a.test/s/{i}")).collect();
    let refs: Vec<&str> = seeds.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&refs)).await.unwrap();
    answer_robots(&db.store, &p, Some(404), None).await;
    let t = std::time::Instant::now();
    let jobs = db.store.claim_due(&p).await.unwrap();
    eprintln!("claim_due: {} jobs in {:?}", jobs.len(), t.elapsed());
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(80);
    let msgs: Vec<_> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let nl: usize = std::env::var("BENCH_LINKS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(100);
            let links: Vec<String> = (0..nl)
                .map(|k| format!("http://a.test/l/{}", (i * 7 + k) % 3000))
                .collect();
            let refs: Vec<&str> = links.iter().map(String::as_str).collect();
            page_msg(
                j,
                Utc::now(),
                Some(article(&format!("Story {i}"), &body, None)),
                &refs,
            )
        })
        .collect();
    let t = std::time::Instant::now();
    let mut tasks = Vec::new();
    for chunk in msgs.chunks(msgs.len() / 4) {
        let store = db.store.clone();
        let p = p.clone();
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            let batch: usize = std::env::var("BENCH_BATCH")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            for b in chunk.chunks(batch) {
                if batch == 1 {
                    store.apply(&b[0], &p).await.unwrap();
                } else {
                    for r in store.apply_batch(b, &p).await.unwrap() {
                        r.unwrap();
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let el = t.elapsed();
    eprintln!(
        "apply: {} pages in {el:?} = {:.0}/s (4 tasks)",
        msgs.len(),
        msgs.len() as f64 / el.as_secs_f64()
    );
    db.finish().await;
}

#[tokio::test]
async fn batch_applies_all_and_isolates_a_poison_message() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let list = ["http://a.test/1", "http://a.test/2", "http://a.test/3"];
    db.store.enqueue(&urls(&list)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &list).await;
    let now = Utc::now();
    let mut poison = jobs[1].clone();
    poison.url_id = 999_999;
    let msgs = vec![
        page_msg(&jobs[0], now, Some(article("One", "first body", None)), &[]),
        page_msg(&poison, now, None, &[]),
        failure(&jobs[2], Disposition::Fail, "HTTP 410", Some(410), None),
    ];
    let results = db.store.apply_batch(&msgs, &p).await.unwrap();
    assert!(
        matches!(results[0], Ok(Applied::Page { .. })),
        "{results:?}"
    );
    assert!(results[1].as_ref().is_err_and(|e| !e.is_transient()));
    assert_eq!(
        results[2].as_ref().unwrap(),
        &Applied::Url {
            state: UrlState::Failed
        }
    );
    // Redelivered as a batch again: nothing changes.
    let ok = [msgs[0].clone(), msgs[2].clone()];
    let again = db.store.apply_batch(&ok, &p).await.unwrap();
    assert!(
        again
            .iter()
            .all(|r| r.as_ref().unwrap() == &Applied::Unchanged)
    );
    assert_eq!(db.i64("SELECT count(*) FROM pages").await, 1);
    assert_eq!(db.url_state(list[0]).await.0, "fetched");
    // Dispatched is the frontier's lease; the URL itself stays queued until it settles.
    assert_eq!(db.url_state(list[1]).await.0, "queued");
    assert_eq!(
        db.i64("SELECT count(*) FROM frontier WHERE lease_until IS NOT NULL")
            .await,
        1
    );
    db.finish().await;
}

#[tokio::test]
async fn stale_robots_is_refreshed_while_cached_rules_stay_in_force() {
    let db = TestDb::new().await;
    let p = fast_policy();
    db.store
        .enqueue(&urls(&["http://a.test/1", "http://a.test/private/2"]))
        .await
        .unwrap();
    let robots = "User-agent: *\nDisallow: /private/\n";
    answer_robots(&db.store, &p, Some(200), Some(robots)).await;
    sqlx::query("UPDATE hosts SET robots_fetched_at = now() - interval '25 hours'")
        .execute(db.pool())
        .await
        .unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    let kinds: Vec<(JobKind, &str)> = jobs.iter().map(|j| (j.kind, j.url.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (JobKind::Robots, "http://a.test/robots.txt"),
            (JobKind::Page, "http://a.test/1")
        ]
    );
    let refresh = jobs[0].clone();
    assert_eq!(db.url_state("http://a.test/private/2").await.0, "skipped");
    // Only one refresh at a time.
    db.store.enqueue(&urls(&["http://a.test/3"])).await.unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, JobKind::Page);
    // A failed refresh keeps the old rules.
    let r = db
        .store
        .apply(&robots_msg(&refresh, Some(503), None), &p)
        .await
        .unwrap();
    assert_eq!(r, Applied::Robots { ok: false });
    let state: String = sqlx::query_scalar("SELECT robots_state::text FROM hosts")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(state, "ok");
    db.finish().await;
}

#[tokio::test]
async fn robots_reported_as_a_failure_counts_as_unreachable() {
    let db = TestDb::new().await;
    let p = policy();
    db.store.enqueue(&urls(&["http://a.test/"])).await.unwrap();
    let jobs = db.store.claim_due(&p).await.unwrap();
    assert_eq!(jobs[0].kind, JobKind::Robots);
    let msg = failure(&jobs[0], Disposition::Retry, "timeout", None, None);
    let r = db.store.apply(&msg, &p).await.unwrap();
    assert_eq!(r, Applied::Robots { ok: false });
    // The page stays queued (not failed, not dispatched) until robots.txt is fetched.
    assert_eq!(db.url_state("http://a.test/").await.0, "queued");
    assert!(db.store.claim_due(&p).await.unwrap().is_empty());
    db.finish().await;
}

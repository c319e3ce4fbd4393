//! Revisits against a real Postgres: a fetched URL keeps a frontier row due at its next visit,
//! carries its validators into the next job, a 304 is an unchanged visit (no page, no revision),
//! hubs adapt, sitemap dates make known URLs due at once and order new ones newest first,
//! revisits take at most their share of a host's slots, a dispatch pass never touches `urls`, and
//! hot hubs (feeds, and hubs whose revisits keep finding new links) go first and their new links
//! jump the first-visit backlog.

mod common;

use chrono::{TimeDelta, Utc};
use common::*;
use newspipe_model::{DatedLink, NotModified, PageKind, StoreMsg};
use newspipe_store::Applied;

async fn due_in_secs(db: &TestDb, url: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT extract(epoch FROM f.due_at - now())::int8 FROM frontier f
         JOIN urls u ON u.id = f.url_id WHERE u.url = $1",
    )
    .bind(url)
    .fetch_one(db.pool())
    .await
    .unwrap_or_else(|e| panic!("{url} has no frontier row: {e}"))
}

/// Makes `url` due now (as time passing would).
async fn make_due(db: &TestDb, url: &str) {
    sqlx::query(
        "UPDATE frontier SET due_at = now() - interval '1 second'
         WHERE url_id = (SELECT id FROM urls WHERE url = $1)",
    )
    .bind(url)
    .execute(db.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn fetched_urls_are_revisited_with_validators_and_a_304_moves_no_body() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let (home, story) = ("http://a.test/", "http://a.test/story");
    db.store.enqueue(&urls(&[home, story])).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &[home, story]).await;
    assert!(jobs.iter().all(|j| j.validators.is_none()), "{jobs:?}");
    // Dispatching wrote nothing in `urls`: the lease is the frontier's.
    assert_eq!(
        db.i64("SELECT count(*) FROM urls WHERE state <> 'queued'")
            .await,
        0
    );
    let t0 = Utc::now();
    let mut fresh = article("Story", "the first version of the story", None);
    fresh.published_at = Some((t0 - TimeDelta::minutes(5)).fixed_offset());
    db.store
        .apply_batch(
            &[
                page_msg(&jobs[0], t0, None, &["http://a.test/one"]),
                page_msg(&jobs[1], t0, Some(fresh.clone()), &[]),
            ],
            &p,
        )
        .await
        .unwrap();
    // Both stay in the frontier: the hub after hub_min (60 s), the fresh story after 15 min.
    let hub_due = due_in_secs(&db, home).await;
    assert!((55..=61).contains(&hub_due), "{hub_due}");
    let story_due = due_in_secs(&db, story).await;
    assert!((880..=901).contains(&story_due), "{story_due}");
    assert_eq!(db.url_state(story).await.0, "fetched");

    // Due again: the job carries the validators of the stored page.
    make_due(&db, home).await;
    make_due(&db, story).await;
    let again = dispatch_all(&db.store, &p, &[home, story]).await;
    for j in &again {
        let v = j.validators.as_ref().expect("validators");
        assert_eq!(v.etag.as_deref(), Some("\"abc\""));
    }
    // 304 for the hub: no page stored, interval ×1.4 (60 → 84 s), counted as a revisit.
    let pages = db.i64("SELECT count(*) FROM pages").await;
    let nm = StoreMsg::NotModified(NotModified {
        job: again[0].clone(),
        at: Utc::now(),
    });
    assert_eq!(db.store.apply(&nm, &p).await.unwrap(), Applied::NotModified);
    // A duplicate of the same answer changes nothing.
    assert_eq!(db.store.apply(&nm, &p).await.unwrap(), Applied::Unchanged);
    assert_eq!(db.i64("SELECT count(*) FROM pages").await, pages);
    let hub_due = due_in_secs(&db, home).await;
    assert!((78..=85).contains(&hub_due), "{hub_due}");
    assert_eq!(
        db.i64("SELECT coalesce(sum(not_modified), 0)::int8 FROM host_visits")
            .await,
        1
    );

    // The story changed: a second revision, and it is dated by our visit (15 min again).
    let mut edited = fresh.clone();
    edited.body = "the first version of the story, corrected".into();
    let r = db
        .store
        .apply(&page_msg(&again[1], Utc::now(), Some(edited), &[]), &p)
        .await
        .unwrap();
    assert!(
        matches!(
            r,
            Applied::Page {
                new_revision: true,
                ..
            }
        ),
        "{r:?}"
    );
    assert_eq!(db.i64("SELECT count(*) FROM article_revisions").await, 2);
    let story_due = due_in_secs(&db, story).await;
    assert!((880..=901).contains(&story_due), "{story_due}");
    let hosts = db.store.host_status(10).await.unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].revisits_last_hour, 2, "{hosts:?}");
    assert_eq!(hosts[0].not_modified_last_hour, 1, "{hosts:?}");
    assert!(hosts[0].last_change_at.is_some());
    // Only the new link waits for a first fetch.
    assert_eq!(hosts[0].queued, 1, "{hosts:?}");
    db.finish().await;
}

#[tokio::test]
async fn old_stories_are_not_revisited_and_sitemap_dates_bring_them_back() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let (map, old) = ("http://a.test/sitemap.xml", "http://a.test/2024/old");
    db.store.enqueue(&urls(&[old])).await.unwrap();
    let job = dispatch(&db.store, &p, old).await;
    let mut a = article("Old", "an old story", None);
    a.published_at = Some((Utc::now() - TimeDelta::days(60)).fixed_offset());
    db.store
        .apply(&page_msg(&job, Utc::now(), Some(a), &[]), &p)
        .await
        .unwrap();
    // Published 60 days ago: past the schedule's end, no revisit.
    assert_eq!(
        db.i64("SELECT count(*) FROM frontier").await,
        0,
        "an old story leaves the frontier"
    );

    // A news sitemap says it changed after our visit, and lists two new stories and an old
    // archive entry; with max_age 30 days the archive entry is not followed.
    db.store.enqueue(&urls(&[map])).await.unwrap();
    let job = dispatch(&db.store, &p, map).await;
    let now = Utc::now();
    let dated = vec![
        DatedLink {
            url: old.into(),
            changed_at: now + TimeDelta::seconds(5),
            news: true,
        },
        DatedLink {
            url: "http://a.test/new-older".into(),
            changed_at: now - TimeDelta::hours(2),
            news: false,
        },
        DatedLink {
            url: "http://a.test/new-newest".into(),
            changed_at: now - TimeDelta::minutes(1),
            news: true,
        },
        DatedLink {
            url: "http://a.test/archive-2019".into(),
            changed_at: now - TimeDelta::days(400),
            news: false,
        },
    ];
    let mut msg = page_msg(
        &job,
        now,
        None,
        &[
            old,
            "http://a.test/new-older",
            "http://a.test/new-newest",
            "http://a.test/archive-2019",
            "http://a.test/undated",
        ],
    );
    if let StoreMsg::Page(pp) = &mut msg {
        pp.kind = PageKind::Sitemap;
        pp.dated = dated;
    }
    let mut bounded = p.clone();
    bounded.revisit.max_age = Some(std::time::Duration::from_secs(30 * 86_400));
    db.store.apply(&msg, &bounded).await.unwrap();
    assert_eq!(
        db.i64("SELECT count(*) FROM urls WHERE url LIKE '%archive-2019'")
            .await,
        0
    );
    // The old story is due again at once.
    assert!(due_in_secs(&db, old).await <= 0);
    // New URLs: the news item first, then the dated archive entry, then the undated link.
    let order: Vec<String> =
        sqlx::query_scalar("SELECT url FROM frontier WHERE NOT revisit ORDER BY due_at, url_id")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(
        order,
        [
            "http://a.test/new-newest",
            "http://a.test/new-older",
            "http://a.test/undated"
        ]
    );
    db.finish().await;
}

#[tokio::test]
async fn revisits_take_at_most_their_share_of_a_host_while_new_urls_wait() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let old: Vec<String> = (0..20).map(|i| format!("http://a.test/old/{i}")).collect();
    let old_refs: Vec<&str> = old.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&old_refs)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &old_refs).await;
    let now = Utc::now();
    let msgs: Vec<StoreMsg> = jobs.iter().map(|j| page_msg(j, now, None, &[])).collect();
    db.store.apply_batch(&msgs, &p).await.unwrap();
    sqlx::query("UPDATE frontier SET due_at = now() - interval '1 minute'")
        .execute(db.pool())
        .await
        .unwrap();
    let new: Vec<String> = (0..20).map(|i| format!("http://a.test/new/{i}")).collect();
    let new_refs: Vec<&str> = new.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&new_refs)).await.unwrap();
    // 20 slots, 20 of each waiting: revisits get 10 (max_share 0.5) and new URLs the rest.
    let limited = newspipe_store::FrontierPolicy {
        max_in_flight: 20,
        ..p.clone()
    };
    let got = db.store.claim_due(&limited).await.unwrap();
    let revisits = got.iter().filter(|j| j.url.contains("/old/")).count();
    assert_eq!(got.len(), 20);
    assert_eq!(revisits, 10, "{got:?}");
    db.finish().await;
}

async fn hot(db: &TestDb, url: &str) -> (bool, f32) {
    sqlx::query_as(
        "SELECT f.hot, f.hub_yield FROM frontier f JOIN urls u ON u.id = f.url_id
         WHERE u.url = $1",
    )
    .bind(url)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

/// Claims `url` again and stores a page listing `links`. The claims before it leased whatever
/// was due: everything is handed back first, as expired leases would be.
async fn revisit_hub(db: &TestDb, p: &newspipe_store::FrontierPolicy, url: &str, links: &[&str]) {
    sqlx::query("UPDATE frontier SET lease_until = NULL")
        .execute(db.pool())
        .await
        .unwrap();
    make_due(db, url).await;
    let job = dispatch(&db.store, p, url).await;
    db.store
        .apply(&page_msg(&job, Utc::now(), None, links), p)
        .await
        .unwrap();
}

#[tokio::test]
async fn hot_hubs_escape_max_share_and_their_new_links_jump_the_backlog() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let feed = "http://a.test/feed.xml";
    let authors: Vec<String> = (0..5)
        .map(|i| format!("http://a.test/author/{i}/"))
        .collect();
    let mut hubs: Vec<&str> = vec![feed];
    hubs.extend(authors.iter().map(String::as_str));
    db.store.enqueue(&urls(&hubs)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &hubs).await;
    let now = Utc::now();
    let mut msgs: Vec<StoreMsg> = jobs.iter().map(|j| page_msg(j, now, None, &[])).collect();
    if let StoreMsg::Page(pp) = &mut msgs[0] {
        pp.kind = PageKind::Feed;
    }
    db.store.apply_batch(&msgs, &p).await.unwrap();
    // A feed starts hot; an author page does not.
    assert!(hot(&db, feed).await.0);
    assert!(!hot(&db, &authors[0]).await.0);

    // A backlog of first visits (as an archive sitemap queues them, dated days back), and every
    // hub due, the author pages long before the feed.
    let backlog: Vec<String> = (0..20).map(|i| format!("http://a.test/old/{i}")).collect();
    let backlog_refs: Vec<&str> = backlog.iter().map(String::as_str).collect();
    db.store.enqueue(&urls(&backlog_refs)).await.unwrap();
    sqlx::query(
        "UPDATE frontier SET due_at = CASE
             WHEN NOT revisit THEN now() - interval '10 days'
             WHEN url LIKE '%/author/%' THEN now() - interval '10 minutes'
             ELSE now() - interval '1 second' END",
    )
    .execute(db.pool())
    .await
    .unwrap();

    // No share for revisits while first visits wait: only the hot feed escapes it, and goes
    // before the author pages that were due earlier.
    let strict = newspipe_store::FrontierPolicy {
        max_in_flight: 2,
        revisit: newspipe_store::RevisitPolicy {
            max_share: 0.0,
            ..p.revisit.clone()
        },
        ..p.clone()
    };
    let got = db.store.claim_due(&strict).await.unwrap();
    let got_urls: Vec<&str> = got.iter().map(|j| j.url.as_str()).collect();
    assert_eq!(got.len(), 2, "{got_urls:?}");
    assert_eq!(
        got_urls[0], feed,
        "the hot hub takes the first slot: {got_urls:?}"
    );
    assert!(got_urls[1].contains("/old/"), "{got_urls:?}");

    // The feed's revisit lists a story never seen before (and one already known): the new one
    // jumps the backlog that was queued before it.
    let fresh = "http://a.test/2026/12/01/fresh";
    let mut msg = page_msg(&got[0], Utc::now(), None, &[fresh, backlog_refs[5]]);
    if let StoreMsg::Page(pp) = &mut msg {
        pp.kind = PageKind::Feed;
    }
    db.store.apply(&msg, &strict).await.unwrap();
    let old_job = got[1].clone();
    db.store
        .apply(&page_msg(&old_job, Utc::now(), None, &[]), &strict)
        .await
        .unwrap();
    let next = db.store.claim_due(&strict).await.unwrap();
    let next_urls: Vec<&str> = next.iter().map(|j| j.url.as_str()).collect();
    assert_eq!(next_urls.first(), Some(&fresh), "{next_urls:?}");
    // Finding it kept the feed hot; two visits that find nothing new cool it down.
    let (is_hot, y) = hot(&db, feed).await;
    assert!(is_hot && y > 0.99, "{y}");
    for _ in 0..2 {
        make_due(&db, feed).await;
        let job = dispatch(&db.store, &p, feed).await;
        let nm = StoreMsg::NotModified(NotModified {
            job,
            at: Utc::now(),
        });
        assert_eq!(db.store.apply(&nm, &p).await.unwrap(), Applied::NotModified);
    }
    let (is_hot, y) = hot(&db, feed).await;
    assert!(!is_hot && y < 0.3, "{y}");

    // An author page whose revisit finds a link never seen before earns its rank.
    revisit_hub(&db, &p, &authors[0], &["http://a.test/2026/12/01/other"]).await;
    assert!(hot(&db, &authors[0]).await.0);
    // A story a cool hub listed first waits behind the backlog until a feed dates it.
    let listed = "http://a.test/2026/12/01/listed-by-an-author-page";
    revisit_hub(&db, &p, &authors[1], &[listed]).await;
    // The feed's lease is handed back; the story is kept out of the claim that fetches it.
    sqlx::query(
        "UPDATE frontier SET lease_until = NULL,
             due_at = CASE WHEN url = $1 THEN now() - interval '1 second'
                           ELSE now() + interval '1 hour' END
         WHERE url IN ($1, $2)",
    )
    .bind(feed)
    .bind(listed)
    .execute(db.pool())
    .await
    .unwrap();
    let job = dispatch(&db.store, &p, feed).await;
    let mut msg = page_msg(&job, Utc::now(), None, &[listed]);
    if let StoreMsg::Page(pp) = &mut msg {
        pp.kind = PageKind::Feed;
        pp.dated = vec![DatedLink {
            url: listed.into(),
            changed_at: Utc::now() - TimeDelta::minutes(1),
            news: true,
        }];
    }
    db.store.apply(&msg, &p).await.unwrap();
    let first: String = sqlx::query_scalar(
        "SELECT url FROM frontier WHERE NOT revisit AND url NOT LIKE '%/fresh'
         ORDER BY due_at, url_id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(first, listed);
    db.finish().await;
}

#[tokio::test]
async fn a_batch_of_304s_reschedules_each_row_keeps_its_validators_and_sees_its_own_answers() {
    let db = TestDb::new().await;
    let p = fast_policy();
    let list = ["http://a.test/", "http://a.test/feed", "http://b.test/"];
    db.store.enqueue(&urls(&list)).await.unwrap();
    let jobs = dispatch_all(&db.store, &p, &list).await;
    let t0 = Utc::now();
    let pages: Vec<StoreMsg> = jobs.iter().map(|j| page_msg(j, t0, None, &[])).collect();
    db.store.apply_batch(&pages, &p).await.unwrap();
    for u in list {
        make_due(&db, u).await;
    }
    let again = dispatch_all(&db.store, &p, &list).await;
    let at = Utc::now();
    let nm =
        |j: &newspipe_model::CrawlJob| StoreMsg::NotModified(NotModified { job: j.clone(), at });
    // Three 304s and a duplicate of the first in one batch: the duplicate must see the row
    // the first one rescheduled (no lease any more) and change nothing.
    let batch = [nm(&again[0]), nm(&again[1]), nm(&again[2]), nm(&again[0])];
    let applied: Vec<Applied> = db
        .store
        .apply_batch(&batch, &p)
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        applied,
        vec![
            Applied::NotModified,
            Applied::NotModified,
            Applied::NotModified,
            Applied::Unchanged
        ]
    );
    assert_eq!(
        db.i64("SELECT coalesce(sum(not_modified), 0)::int8 FROM host_visits")
            .await,
        3
    );
    for u in list {
        let due = due_in_secs(&db, u).await;
        assert!((78..=85).contains(&due), "{u}: {due}");
        make_due(&db, u).await;
    }
    let third = dispatch_all(&db.store, &p, &list).await;
    for j in &third {
        let v = j.validators.as_ref().expect("validators");
        assert_eq!(v.etag.as_deref(), Some("\"abc\""), "{j:?}");
        assert_eq!(j.attempt, 0);
    }
    db.finish().await;
}

//! End-to-end: the built binary's crawler, parser and store against real RabbitMQ and Postgres,
//! crawling a site served on 127.0.0.1.

mod common;

use std::time::Duration;

use common::{
    Env, TestDb, Workers, assert_archive, assert_article, broker, cleanup, now_ms,
    site::{Server, Site},
    unique,
};
use newspipe_model::Message;
use newspipe_mq::Queue;

/// 100 ms between requests = at most 10 requests per second per host.
const INTERVAL_MS: u64 = 100;
const RATE_LIMIT_PER_SEC: usize = 10;

fn assert_polite(server: &Server) {
    let hits = server.hits();
    let bad: Vec<_> = hits
        .iter()
        .filter(|h| Site::is_disallowed(&h.path))
        .collect();
    assert!(
        bad.is_empty(),
        "robots.txt-disallowed paths were requested: {bad:?}"
    );
    assert_eq!(
        hits.iter().filter(|h| h.path == "/robots.txt").count(),
        1,
        "robots.txt fetched once"
    );
    let peak = server.max_in_window(1000);
    assert!(
        peak <= RATE_LIMIT_PER_SEC,
        "{peak} requests within one second; limit {RATE_LIMIT_PER_SEC}"
    );
    // Every two consecutive requests at least the interval apart (the log has ms resolution,
    // and the request is logged when it arrives, so allow 2 ms of jitter).
    let gap = server.min_gap_ms();
    assert!(
        gap + 2 >= INTERVAL_MS,
        "two requests {gap} ms apart; interval {INTERVAL_MS} ms"
    );
}

fn enqueue_ok(env: &Env, urls: &[&str]) {
    let mut args = vec!["enqueue"];
    args.extend_from_slice(urls);
    let out = env.run(&args);
    assert!(
        out.status.success(),
        "enqueue failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_clean_exit(w: &mut Workers) {
    for (name, code) in w.terminate_all() {
        assert_eq!(
            code,
            Some(0),
            "{name} did not exit cleanly on SIGTERM\n{}",
            w.logs()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawls_the_site_politely_and_archives_every_article_once() {
    let db = TestDb::create("e2e").await;
    let site = Site::generate();
    let server = Server::start("127.0.0.1", site.pages.clone()).await;
    let prefix = unique("e2e");
    let env = Env::new(&db, &prefix, INTERVAL_MS);
    let mut w = Workers::new();
    // Three crawler replicas: the host's rate must hold for all of them together.
    for role in ["store", "parser", "parser", "crawler", "crawler", "crawler"] {
        w.start(&env, role);
    }
    enqueue_ok(&env, &[&server.url("/")]);
    // Enqueueing the same seed again must not crawl it twice.
    enqueue_ok(&env, &[&server.url("/")]);
    db.wait_drained(Duration::from_secs(240), &mut w).await;

    assert_archive(&db, &site, &server).await;
    assert_polite(&server);
    // Enqueueing the fetched seed again, beside a URL never seen: the new one is crawled (a
    // positive signal that the crawl moved on), the known one is not fetched again.
    let out = env.run(&["enqueue", &server.url("/"), &server.url("/never-seen")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 new URL(s), 1 already known"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    db.wait_drained(Duration::from_secs(60), &mut w).await;
    assert!(server.hits().iter().any(|h| h.path == "/never-seen"));
    let home_hits = server.hits().iter().filter(|h| h.path == "/").count();
    assert_eq!(home_hits, 1, "the seed was fetched once");
    let skipped = db
        .scalar("SELECT count(*) FROM urls WHERE state = 'skipped' AND last_error ILIKE '%robots%'")
        .await;
    assert!(
        skipped >= 2,
        "disallowed URLs are recorded as skipped with the reason"
    );
    // The store worker's indexer makes new articles searchable within about a second.
    let mut hits = String::new();
    for _ in 0..40 {
        let search = env.run(&["search", "coalition willing", "--json"]);
        hits = String::from_utf8_lossy(&search.stdout).into_owned();
        if hits.contains("Coalition of the Willing") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        hits.contains("Coalition of the Willing"),
        "search finds the example article within 10 s: {hits}"
    );
    let status = env.run(&["status", "--json"]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        status["articles"].as_i64(),
        Some(site.articles.len() as i64)
    );
    assert_eq!(status["idle"], true, "the crawl is over: {status}");
    let queues = status["queues"].as_array().expect("queues listed");
    assert_eq!(queues.len(), 4, "{status}");
    for q in queues {
        assert!(q["queue"].as_str().unwrap().starts_with(&prefix), "{q}");
        // tests/run.sh enables the management plugin, so unacked counts are known.
        assert!(q["ready"].is_u64() && q["unacked"].is_u64(), "{q}");
    }
    assert_eq!(
        queues[0]["consumers"].as_u64(),
        Some(3),
        "three crawlers consume: {status}"
    );

    assert_clean_exit(&mut w);
    cleanup(db, &prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_store_and_crawler_lose_nothing_and_duplicate_nothing() {
    let db = TestDb::create("kill").await;
    let site = Site::generate();
    let server = Server::start("127.0.0.1", site.pages.clone()).await;
    // Linked from the home page, so fetched early; its answer takes 3 s, so a crawler killed
    // after its request arrived surely had the fetch in flight.
    let slow = site.articles[7].path.clone();
    const SLOW_MS: u64 = 3_000;
    server.delay(&slow, SLOW_MS, 1);
    let prefix = unique("kill");
    let mut env = Env::new(&db, &prefix, INTERVAL_MS);
    // A lease shorter than the default, so a job stranded by the killed store's dispatcher
    // (committed, not yet published) comes back within the test; longer than the dispatch
    // horizon (5 s) plus the store's stall, so no job still held by a crawler is leased again
    // and fetched twice.
    env.set("NEWSPIPE__FRONTIER__LEASE_SECS", "30");
    let mut w = Workers::new();
    for role in ["store", "parser", "crawler"] {
        w.start(&env, role);
    }
    enqueue_ok(&env, &[&server.url("/")]);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let progress = |w: &mut Workers, what: &str| {
        w.assert_alive();
        assert!(std::time::Instant::now() < deadline, "{what}\n{}", w.logs());
    };
    while server.hits_of(&slow).is_empty() {
        progress(&mut w, "the slow page was never requested");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed_at = now_ms();
    w.kill9("crawler");
    let arrived = server.hits_of(&slow)[0].at_ms;
    assert!(
        killed_at < arrived + SLOW_MS,
        "the crawler was killed after the slow page was answered: nothing was in flight"
    );
    w.start(&env, "crawler");

    while db.scalar("SELECT count(*) FROM articles").await < 15 {
        progress(&mut w, "no progress after the crawler's restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Hold the store's next batch at its first write and kill the store while it waits there:
    // deliveries it had taken are in flight, unacked and uncommitted.
    let mut lock = db.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE pages IN SHARE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    while db
        .scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO pages%'",
        )
        .await
        == 0
    {
        progress(&mut w, "no store batch waited for the lock");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    w.kill9("store");
    lock.rollback().await.unwrap();
    w.start(&env, "store");
    db.wait_drained(Duration::from_secs(240), &mut w).await;

    assert_archive(&db, &site, &server).await;
    // The fetch cut short by kill -9 was done again, once; it never produced a page before.
    assert_eq!(
        server.hits_of(&slow).len(),
        2,
        "{slow} fetched again after the kill"
    );
    // Nothing else is fetched twice, but for a fetch the kill may have caught between its
    // publish and its ack (a window of microseconds): at most one.
    let mut per_path = std::collections::BTreeMap::<String, usize>::new();
    for h in server.hits() {
        *per_path.entry(h.path).or_default() += 1;
    }
    let refetched: Vec<_> = per_path
        .iter()
        .filter(|(p, n)| **n > 1 && **p != slow)
        .collect();
    assert!(refetched.len() <= 1, "fetched again: {refetched:?}");
    // One page row per URL, but for such a re-fetch.
    let extra_pages = db
        .scalar("SELECT count(*) - count(DISTINCT url_id) FROM pages")
        .await;
    assert!(
        extra_pages as usize <= refetched.len(),
        "{extra_pages} extra page rows; re-fetched {refetched:?}"
    );
    // Restarted workers kept the host's schedule.
    assert_polite(&server);
    assert_clean_exit(&mut w);
    cleanup(db, &prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_reports_bad_urls_and_crawls_the_good_ones() {
    let db = TestDb::create("enq").await;
    let site = Site::generate();
    let server = Server::start("127.0.0.1", site.pages.clone()).await;
    let prefix = unique("enq");
    let mut env = Env::new(&db, &prefix, INTERVAL_MS);
    env.set("NEWSPIPE__FRONTIER__MAX_DEPTH", "0");
    let good: Vec<String> = site.articles[..2]
        .iter()
        .map(|a| server.url(&a.path))
        .collect();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), format!("# seeds\n{}\nhttp://\n", good[1])).unwrap();
    let out = env.run(&[
        "enqueue",
        &good[0],
        "ftp://example.com/x",
        "not a url",
        "--file",
        file.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused URL makes the exit code non-zero: {stderr}"
    );
    for bad in ["ftp://example.com/x", "not a url", "http://"] {
        assert!(
            stderr.contains(&format!("{bad:?}")),
            "{bad} reported: {stderr}"
        );
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("enqueued 2 new URL(s)"));

    // No parser: the crawler parses inline and sends pages straight to the store; the exact
    // articles below prove the inline path writes what the parser would.
    env.set("NEWSPIPE__CRAWLER__PARSE_INLINE", "true");
    let mut w = Workers::new();
    for role in ["store", "crawler"] {
        w.start(&env, role);
    }
    db.wait_drained(Duration::from_secs(120), &mut w).await;
    for a in &site.articles[..2] {
        assert_article(&db, &server, a).await;
    }
    assert_eq!(
        db.scalar("SELECT count(*) FROM articles").await,
        2,
        "max_depth 0 follows no links"
    );
    assert_clean_exit(&mut w);
    cleanup(db, &prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_end_in_the_dead_letter_queue_and_workers_keep_running() {
    let db = TestDb::create("poison").await;
    let site = Site::generate();
    let server = Server::start("127.0.0.1", site.pages.clone()).await;
    let prefix = unique("poison");
    let mut env = Env::new(&db, &prefix, INTERVAL_MS);
    env.set("NEWSPIPE__FRONTIER__MAX_DEPTH", "0");
    let mut w = Workers::new();
    for role in ["store", "parser", "crawler"] {
        w.start(&env, role);
    }
    let b = broker(&prefix).await;
    b.declare_topology().await.unwrap();
    let publisher = b.publisher().await.unwrap();
    let poison: [&[u8]; 3] = [b"\xff\xfe not json", b"{\"v\":1,\"half\":", b"{\"v\":99}"];
    for q in [Queue::Crawl, Queue::Pages, Queue::Store] {
        for p in poison {
            publisher.publish(q, p).await.unwrap();
        }
    }
    // A valid message with a future schema version is poison too.
    let job = newspipe_model::CrawlJob {
        v: 99,
        url_id: 1,
        url: server.url("/"),
        host: server.addr.to_string(),
        depth: 0,
        kind: newspipe_model::JobKind::Page,
        not_before_ms: 0,
        slot_ms: 0,
        attempt: 0,
        validators: None,
    };
    publisher
        .publish(Queue::Crawl, &job.to_bytes())
        .await
        .unwrap();
    let expected_dead = 3 * poison.len() as u32 + 1;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let dead = b.queue_depth(Queue::Dead).await.unwrap().ready;
        if dead >= expected_dead {
            assert_eq!(dead, expected_dead);
            break;
        }
        w.assert_alive();
        assert!(
            std::time::Instant::now() < deadline,
            "{dead} of {expected_dead} dead-lettered\n{}",
            w.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for q in [Queue::Crawl, Queue::Pages, Queue::Store] {
        assert_eq!(
            b.queue_depth(q).await.unwrap().ready,
            0,
            "{q:?} still holds poison"
        );
    }
    // Each was refused at once by the worker that read it, with that worker's reason: not
    // requeued until the broker's delivery limit gave up on it.
    let listed = env.run(&["dead", "list", "--json"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let dead: Vec<serde_json::Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(dead.len() as u32, expected_dead, "{dead:?}");
    for d in &dead {
        let (worker, queue) = (d["worker"].as_str().unwrap(), d["queue"].as_str().unwrap());
        let want = match queue.rsplit('.').next().unwrap() {
            "crawl" => "crawler",
            "pages" => "parser",
            "store" => "store",
            other => panic!("died in {other}: {d}"),
        };
        assert_eq!(worker, want, "{d}");
        let reason = d["reason"].as_str().unwrap();
        assert!(
            reason.contains("not valid JSON") || reason.contains("schema version"),
            "the worker's reason is on the message: {d}"
        );
        assert_eq!(
            d["delivery_count"].as_i64().unwrap_or(0),
            0,
            "dead at first delivery: {d}"
        );
    }
    let purged = env.run(&["dead", "purge"]);
    assert!(purged.status.success());
    assert_eq!(b.queue_depth(Queue::Dead).await.unwrap().ready, 0);
    // The workers survived and still do real work.
    enqueue_ok(&env, &[&server.url(&site.articles[0].path)]);
    db.wait_drained(Duration::from_secs(60), &mut w).await;
    assert_article(&db, &server, &site.articles[0]).await;
    assert_clean_exit(&mut w);
    b.close().await;
    cleanup(db, &prefix).await;
}

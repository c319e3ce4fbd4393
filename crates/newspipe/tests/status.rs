//! `newspipe status` after a small real crawl with failures: every state (zeros too), why URLs
//! were skipped or failed with counts, the fetch rate over the real window, dead letters with
//! their reason, `unacked ?` explained, and `--watch` without escape codes when piped.

mod common;

use std::{collections::BTreeMap, time::Duration};

use common::{Env, TestDb, Workers, cleanup, site::Server, unique};

const OK: usize = 6;
const GONE: usize = 3;
const PRIVATE: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_explains_the_crawl() {
    let db = TestDb::create("status").await;
    let mut pages: BTreeMap<String, String> = (0..OK)
        .map(|i| {
            (
                format!("/ok/{i}"),
                format!(
                    "<html><head><title>ok {i}</title></head><body><p>page {i}</p></body></html>"
                ),
            )
        })
        .collect();
    pages.insert(
        "/robots.txt".into(),
        "User-agent: *\nDisallow: /private/\n".into(),
    );
    let server = Server::start("127.0.0.11", pages).await;
    let prefix = unique("status");
    let mut env = Env::new(&db, &prefix, 20);
    env.set("NEWSPIPE__FRONTIER__MAX_DEPTH", "0");
    env.set("NEWSPIPE__TELEMETRY__PROGRESS_EVERY_SECS", "1");
    let mut w = Workers::new();
    for role in ["store", "parser", "crawler"] {
        w.start(&env, role);
    }
    let mut urls: Vec<String> = (0..OK).map(|i| server.url(&format!("/ok/{i}"))).collect();
    urls.extend((0..GONE).map(|i| server.url(&format!("/gone/{i}"))));
    urls.extend((0..PRIVATE).map(|i| server.url(&format!("/private/{i}"))));
    env.enqueue(&urls);
    db.wait_drained(Duration::from_secs(60), &mut w).await;
    // A poison job: the crawler dead-letters it with its reason.
    let broker = common::broker(&prefix).await;
    let publisher = broker.publisher().await.unwrap();
    publisher
        .publish(newspipe_mq::Queue::Crawl, b"not a crawl job")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while broker
        .queue_depth(newspipe_mq::Queue::Dead)
        .await
        .unwrap()
        .ready
        == 0
    {
        assert!(std::time::Instant::now() < deadline, "{}", w.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    publisher.close().await;
    broker.close().await;

    // The management API's queue figures trail by a few seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let v = loop {
        let out = env.run(&["status", "--json"]);
        assert!(out.status.success(), "{out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if v["dead"]["count"] == 1 || std::time::Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(v["idle"], true, "{v}");
    for state in ["queued", "dispatched", "fetched", "skipped", "failed"] {
        assert!(v["urls"][state].is_i64(), "state {state} listed: {v}");
    }
    assert_eq!(v["urls"]["queued"], 0);
    assert_eq!(v["in_flight"], 0, "every dispatched URL was answered: {v}");
    assert_eq!(v["urls"]["fetched"], OK as i64);
    let reasons = v["reasons"].as_array().unwrap();
    let count_of = |state: &str, needle: &str| {
        reasons
            .iter()
            .filter(|r| r["state"] == state && r["reason"].as_str().unwrap().contains(needle))
            .map(|r| r["urls"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(count_of("failed", "404"), GONE as i64, "{v}");
    assert_eq!(count_of("skipped", "robots"), PRIVATE as i64, "{v}");
    // The crawl is seconds old: the rate is over those seconds, not over a whole minute.
    let window = v["rate_window_secs"].as_f64().unwrap();
    assert!((1.0..50.0).contains(&window), "window {window}: {v}");
    let rate = v["pages_per_sec"].as_f64().unwrap();
    let fetched = v["fetched_last_minute"].as_f64().unwrap();
    assert!(fetched >= OK as f64, "{v}");
    assert!((rate - fetched / window).abs() < 1e-6, "{v}");
    assert_eq!(v["dead"]["count"], 1, "{v}");
    let dead_reason = v["dead"]["top_reasons"][0][0].as_str().unwrap();
    assert!(
        dead_reason.contains("not valid JSON"),
        "the crawler's reason, not RabbitMQ's `rejected`: {dead_reason}"
    );

    // Text, with the management API unreachable: unacked is `?` and says why.
    let mut no_mgmt = env.clone();
    no_mgmt.set("NEWSPIPE__AMQP__MANAGEMENT_URL", "http://127.0.0.1:9");
    let out = no_mgmt.run(&["status"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("unacked ?: "), "{text}");
    assert!(text.contains("  dispatched            0"), "{text}");
    assert!(text.contains("why URLs were skipped or failed"), "{text}");
    assert!(text.contains("dead letters: 1"), "{text}");

    // --watch piped: one report after another, no escape codes; ends on SIGTERM with 0.
    let child = env
        .command(&["status", "--watch", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.matches("crawl: idle").count() >= 2, "{text}");
    assert!(
        !text.contains('\x1b'),
        "no escape codes when piped: {text:?}"
    );

    // Each worker logged its progress line, and no colour codes went to the log files.
    assert!(w.log_count("progress: ") >= 3, "{}", w.logs());
    assert!(!w.logs().contains('\x1b'), "no ANSI in logs: {}", w.logs());
    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exited with {code:?}");
    }
    cleanup(db, &prefix).await;
}

//! Retry-After holds across crawler replicas: after one crawler gets a 503 with Retry-After, no
//! replica sends the host a request before the time it gave — in seconds or as an HTTP-date.
//!
//! Three real crawler processes share jobs of one host on 127.0.0.9; the server logs every
//! request with its arrival time and answers two of them 503, so the judge is the server's log.

mod common;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use axum::{
    Router,
    extract::State,
    http::{StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use common::{Env, TestDb, Workers, cleanup, unique};

const PAGES: usize = 40;
const INTERVAL_MS: u64 = 100;
/// The n-th page request (1-based) answered `503` + `Retry-After: 2` (seconds).
const DELTA_AT: usize = 6;
/// The n-th page request answered `503` + an HTTP-date 1–2 s ahead (whole seconds, so a
/// client that drops the fraction of the remaining wait comes back early).
const DATE_AT: usize = 20;

#[derive(Debug, Clone)]
struct Hit {
    at_ms: u64,
    path: String,
    /// Set on a 503: no request may arrive before this instant (Unix ms).
    blocked_until_ms: Option<u64>,
}

#[derive(Clone, Default)]
struct Log {
    hits: Arc<Mutex<Vec<Hit>>>,
    page_requests: Arc<Mutex<usize>>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

async fn serve(State(log): State<Log>, uri: Uri) -> Response {
    let at_ms = now_ms();
    let path = uri.path().to_string();
    let mut hit = Hit {
        at_ms,
        path: path.clone(),
        blocked_until_ms: None,
    };
    let response = if path.starts_with("/p/") {
        let n = {
            let mut c = log.page_requests.lock().unwrap();
            *c += 1;
            *c
        };
        if n == DELTA_AT {
            hit.blocked_until_ms = Some(at_ms + 2_000);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "2".to_string())],
            )
                .into_response()
        } else if n == DATE_AT {
            let secs = at_ms / 1000 + 2;
            hit.blocked_until_ms = Some(secs * 1000);
            let date = chrono::DateTime::from_timestamp(secs as i64, 0)
                .unwrap()
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, date)],
            )
                .into_response()
        } else {
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                format!(
                    "<html><head><title>Page {path}</title></head><body><p>{path}</p></body></html>"
                ),
            )
                .into_response()
        }
    } else {
        StatusCode::NOT_FOUND.into_response()
    };
    log.hits.lock().unwrap().push(hit);
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_holds_across_three_crawlers() {
    let db = TestDb::create("retryafter").await;
    let log = Log::default();
    let app = Router::new().fallback(serve).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.9:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let prefix = unique("retryafter");
    let mut env = Env::new(&db, &prefix, INTERVAL_MS);
    env.set("NEWSPIPE__FRONTIER__MAX_DEPTH", "0");
    let mut w = Workers::new();
    for role in ["store", "parser", "crawler", "crawler", "crawler"] {
        w.start(&env, role);
    }
    // Every crawler consuming before the jobs come, so they are spread over all three.
    let ready = Instant::now() + Duration::from_secs(30);
    while w.log_count("consuming") < 5 {
        w.assert_alive();
        assert!(
            Instant::now() < ready,
            "workers not consuming\n{}",
            w.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let urls: Vec<String> = (0..PAGES).map(|i| format!("http://{addr}/p/{i}")).collect();
    env.enqueue(&urls);
    db.wait_drained(Duration::from_secs(90), &mut w).await;

    let hits = log.hits.lock().unwrap().clone();
    let blocks: Vec<(usize, u64)> = hits
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.blocked_until_ms.map(|u| (i, u)))
        .collect();
    assert_eq!(blocks.len(), 2, "both 503s were served: {hits:?}");
    for (i, until) in &blocks {
        // The log is in arrival order: everything after the 503 came after it was answered.
        let after = &hits[i + 1..];
        let early: Vec<&Hit> = after.iter().filter(|h| h.at_ms < *until).collect();
        let first = after.iter().map(|h| h.at_ms).min();
        eprintln!(
            "503 at {} ms, Retry-After until {until}: {} requests before it, first request after it at {:+} ms",
            hits[*i].at_ms,
            early.len(),
            first.map(|f| f as i64 - *until as i64).unwrap_or(0)
        );
        assert!(
            after.iter().any(|h| h.path == hits[*i].path),
            "the refused page was asked for again"
        );
        assert!(
            early.is_empty(),
            "{} request(s) before the time the host gave ({until}): {early:?}",
            early.len()
        );
    }
    // Both refused pages were fetched in the end: a block delays, it never drops.
    let fetched = db
        .scalar("SELECT count(*) FROM urls WHERE state = 'fetched'")
        .await;
    assert_eq!(fetched, PAGES as i64);
    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exited with {code:?}");
    }
    server.abort();
    cleanup(db, &prefix).await;
}

//! Load client for the archive-query benchmark (BENCHMARKS.md "Archive queries"):
//! `cargo run --release -p newspipe-api --example load -- BASE MODE [CLIENTS] [REQUESTS]`
//! where MODE is `search` (rotating queries) or `article` (random ids 1..=100000). Prints
//! p50 / p90 / p99 / max latency and the request rate.
#![allow(clippy::disallowed_methods)] // bodies come from our own server under test

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

const QUERIES: &[&str] = &[
    "storm",
    "election",
    "minister",
    "harbour",
    "referendum",
    "volcano",
    "storm minister",
    "\"storm election\"",
    "harbour -storm",
    "referendum or volcano",
];

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or("http://127.0.0.1:8080".into());
    let mode = args.get(2).cloned().unwrap_or("search".into());
    let clients: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let total: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(4000);
    let max_id: u64 = std::env::var("MAX_ID")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients as usize)
        .build()
        .unwrap();
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, base, mode, next, errors) = (
            http.clone(),
            base.clone(),
            mode.clone(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return lat;
                }
                let url = if mode == "search" {
                    let q: String = url::form_urlencoded::byte_serialize(
                        QUERIES[(i as usize) % QUERIES.len()].as_bytes(),
                    )
                    .collect();
                    format!("{base}/search?q={q}&limit=20")
                } else {
                    // A multiplicative hash spreads ids over the whole table.
                    let id = 1 + (i.wrapping_mul(2_654_435_761) % max_id);
                    format!("{base}/articles/{id}")
                };
                let t = Instant::now();
                match http.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat.push(t.elapsed());
            }
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let wall = start.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "{mode}: {} requests, {} errors, {clients} clients, {:.0} req/s, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all.len(),
        errors.load(Ordering::Relaxed),
        all.len() as f64 / wall.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.90).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3,
    );
}

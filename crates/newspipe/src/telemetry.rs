//! Logs (tracing, human or JSON), the worker's metrics listener (`/metrics`, `/healthz`) and its
//! periodic progress line.

use std::{
    io::IsTerminal,
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::{Config, LogFormat};

/// Logs go to stderr so command output (JSON lines, tables) stays clean on stdout.
/// `RUST_LOG` overrides `default_filter`. Colours only when stderr is a terminal: escape codes
/// in a log file or `docker logs` are noise.
pub fn init_logs(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    // A second init (tests calling main twice) is harmless, so the error is ignored.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Human => builder.try_init(),
    };
}

/// True while the worker has a live consume session: what `/healthz` reports.
static CONSUMING: AtomicBool = AtomicBool::new(false);

/// The worker's consume session started (`true`) or ended (`false`).
pub fn set_consuming(on: bool) {
    CONSUMING.store(on, Ordering::Relaxed);
}

/// The path the health check asks for.
pub const HEALTH_PATH: &str = "/healthz";

/// Serves `/metrics` (Prometheus) and `/healthz` (200 while consuming, 503 otherwise) when
/// `telemetry.metrics_addr` is set. Histograms get buckets so they export as Prometheus
/// histograms (aggregatable across replicas), not summaries.
pub async fn init_metrics(cfg: &Config) -> Result<()> {
    let Some(addr) = cfg.metrics_addr()? else {
        return Ok(());
    };
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&[
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ])
        .context("metrics buckets")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot serve metrics on {addr}"))?;
    // The recorder's histograms need draining now and then (install() would do it for us,
    // but it owns the listener and serves only metrics).
    let upkeep = handle.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            upkeep.run_upkeep();
        }
    });
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(move || std::future::ready(handle.render())),
        )
        .route(HEALTH_PATH, axum::routing::get(healthz));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    tracing::info!(%addr, "serving Prometheus metrics on /metrics and health on {HEALTH_PATH}");
    Ok(())
}

async fn healthz() -> (axum::http::StatusCode, &'static str) {
    if CONSUMING.load(Ordering::Relaxed) {
        (axum::http::StatusCode::OK, "ok: consuming\n")
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "not consuming: connecting to RabbitMQ\n",
        )
    }
}

/// What the worker did since the last progress line.
static DONE: AtomicU64 = AtomicU64::new(0);
static ERRORS: AtomicU64 = AtomicU64::new(0);
static DEFERRED: AtomicU64 = AtomicU64::new(0);

/// One unit of the worker's work finished (a page fetched, parsed or stored).
pub fn count_done() {
    DONE.fetch_add(1, Ordering::Relaxed);
}

/// A failure the worker reported (failed fetch, dead letter, transient error).
pub fn count_error() {
    ERRORS.fetch_add(1, Ordering::Relaxed);
}

/// A job handed back to be scheduled again (not an error: its slot passed or its host waits).
pub fn count_deferred() {
    DEFERRED.fetch_add(1, Ordering::Relaxed);
}

/// Logs one progress line every `every` (like Scrapy's LogStats) until the process ends: what
/// the worker did in the last interval, its rate over that interval, and the totals.
pub fn spawn_progress(worker: &'static str, what: &'static str, every: Duration) {
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let (mut done0, mut err0, mut def0) = (0, 0, 0);
        let mut since = Instant::now();
        loop {
            tokio::time::sleep(every).await;
            let (done, errors, deferred) = (
                DONE.load(Ordering::Relaxed),
                ERRORS.load(Ordering::Relaxed),
                DEFERRED.load(Ordering::Relaxed),
            );
            let secs = since.elapsed().as_secs_f64();
            let n = done - done0;
            tracing::info!(
                worker,
                pages = n,
                per_sec = format!("{:.2}", n as f64 / secs.max(0.001)),
                errors = errors - err0,
                handed_back = deferred - def0,
                pages_total = done,
                errors_total = errors,
                "progress: {n} {what} in the last {secs:.0} s ({:.2}/s), {} errors, {} handed back; {done} {what} since start",
                n as f64 / secs.max(0.001),
                errors - err0,
                deferred - def0,
            );
            (done0, err0, def0) = (done, errors, deferred);
            since = Instant::now();
        }
    });
}

//! Typed internal events: each one logs a line and moves a metric, with fixed label values.
//!
//! Keeping emission here means metric names and labels are defined once and stay bounded
//! (no host or URL labels: their cardinality is unbounded).

use std::time::Duration;

use newspipe_model::Disposition;

fn disposition_label(d: Disposition) -> &'static str {
    match d {
        Disposition::Retry => "retry",
        Disposition::Fail => "fail",
        Disposition::Skip => "skip",
        Disposition::Requeue => "requeue",
    }
}

/// The crawler fetched a page and handed it on.
pub fn page_fetched(url: &str, status: u16, bytes: usize, took: Duration) {
    tracing::debug!(
        url,
        status,
        bytes,
        ms = took.as_millis() as u64,
        "page fetched"
    );
    crate::telemetry::count_done();
    metrics::counter!("newspipe_crawler_pages_fetched_total").increment(1);
    metrics::counter!("newspipe_crawler_fetched_bytes_total").increment(bytes as u64);
    metrics::histogram!("newspipe_crawler_fetch_seconds").record(took.as_secs_f64());
}

/// A revisit was answered 304 Not Modified: nothing to parse or store but the visit.
pub fn not_modified(took: Duration) {
    metrics::counter!("newspipe_crawler_not_modified_total").increment(1);
    metrics::histogram!("newspipe_crawler_fetch_seconds").record(took.as_secs_f64());
}

/// A fetch ended without a page; the frontier decides what happens next.
pub fn fetch_failed(url: &str, disposition: Disposition, reason: &str) {
    tracing::info!(
        url,
        disposition = disposition_label(disposition),
        reason,
        "fetch failed"
    );
    if disposition == Disposition::Requeue {
        crate::telemetry::count_deferred();
    } else {
        crate::telemetry::count_error();
    }
    metrics::counter!("newspipe_crawler_fetch_failures_total", "disposition" => disposition_label(disposition))
        .increment(1);
}

/// The parser extracted a page.
pub fn page_parsed(
    url: &str,
    is_article: bool,
    why: &dyn std::fmt::Display,
    links: usize,
    took: Duration,
) {
    tracing::debug!(
        url,
        is_article,
        why = %why,
        links,
        us = took.as_micros() as u64,
        "page parsed"
    );
    crate::telemetry::count_done();
    metrics::counter!("newspipe_parser_pages_total", "kind" => if is_article { "article" } else { "other" })
        .increment(1);
    metrics::histogram!("newspipe_parser_extract_seconds").record(took.as_secs_f64());
}

/// A message could never be processed and went to the dead-letter queue.
pub fn dead_lettered(worker: &'static str, reason: &str) {
    tracing::warn!(worker, reason, "message dead-lettered");
    crate::telemetry::count_error();
    metrics::counter!("newspipe_dead_lettered_total", "worker" => worker).increment(1);
}

/// The store committed one message's effects.
pub fn stored(kind: &'static str) {
    crate::telemetry::count_done();
    metrics::counter!("newspipe_store_messages_total", "kind" => kind).increment(1);
}

/// The dispatcher published crawl jobs.
pub fn dispatched(jobs: usize) {
    if jobs > 0 {
        tracing::debug!(jobs, "dispatched");
    }
    metrics::counter!("newspipe_dispatcher_jobs_total").increment(jobs as u64);
}

/// The broker had restarted (its restart marker was gone), so the dispatcher handed back every
/// lease: the transient jobs behind them were lost with it.
pub fn leases_handed_back(urls: u64) {
    tracing::info!(
        urls,
        "broker restart marker missing; handed back every lease"
    );
    metrics::counter!("newspipe_dispatcher_leases_handed_back_total").increment(urls);
}

/// A transient failure that the worker will retry after `wait`.
pub fn transient(worker: &'static str, error: &dyn std::fmt::Display, wait: Duration) {
    tracing::warn!(worker, error = %error, wait_ms = wait.as_millis() as u64, "transient error; retrying");
    crate::telemetry::count_error();
    metrics::counter!("newspipe_transient_errors_total", "worker" => worker).increment(1);
}

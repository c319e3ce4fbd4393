//! Crawler worker: waits for the job's host slot, fetches, and publishes the outcome.
//!
//! Pages go to the parser; failures and robots.txt go straight to the store. Retries are not done
//! here: a retryable failure goes back to the frontier, which schedules it with backoff inside
//! the host's politeness budget, so no replica can retry its way past a host's rate.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use chrono::Utc;
use newspipe_fetch::{Accept, Conditional, Fetcher, HostLimiter};
use newspipe_model::{
    CrawlJob, Disposition, FetchFailure, FetchedPage, JobKind, Message, NotModified, RobotsFetched,
    SCHEMA_VERSION, StoreEnvelope, StoreMsg, Zstd,
};
use newspipe_mq::{Publisher, Queue};
use url::Url;

use super::Decision;
use crate::{
    config::{Config, Worker},
    events,
};

/// What every crawl task shares.
struct Ctx {
    fetcher: Fetcher,
    limiter: HostLimiter,
    /// Longest wait for a job's slot before it is handed back.
    max_slot_wait_ms: i64,
    /// Fetches in progress at once.
    fetching: tokio::sync::Semaphore,
    /// Hosts that answered with Retry-After, and until when (Unix ms): jobs of theirs this
    /// crawler already holds are handed back instead of fetched. The store pushes the host's
    /// schedule back for the dispatcher; this map covers what was dispatched before it knew,
    /// and every replica fills it from the host-block broadcast (`host_blocks`).
    blocked: std::sync::Mutex<std::collections::HashMap<String, i64>>,
    /// Blocks this crawler learnt first, for `host_blocks` to tell the other replicas.
    announce: tokio::sync::mpsc::UnboundedSender<HostBlock>,
    /// `crawler.parse_inline`: parse fetched pages here (extractions at once, one per core) and
    /// send them straight to the store, instead of through the `pages` queue and a parser.
    parse_inline: Option<tokio::sync::Semaphore>,
}

/// The broadcast topic (`{prefix}.hostblock`) crawlers tell each other Retry-After on.
const HOST_BLOCK_TOPIC: &str = "hostblock";

/// "Send nothing to `host` before `until_ms`" (Unix ms), from the crawler that got the answer.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct HostBlock {
    host: String,
    until_ms: i64,
}

impl Ctx {
    fn blocked_until(&self, host: &str, now_ms: i64) -> Option<i64> {
        let mut map = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, until| *until > now_ms);
        map.get(host).copied()
    }

    fn block(&self, host: &str, until_ms: i64) {
        let mut map = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let e = map.entry(host.to_string()).or_insert(until_ms);
        *e = (*e).max(until_ms);
    }

    /// Blocks `host` here and tells every other crawler.
    fn block_everywhere(&self, host: &str, until_ms: i64) {
        self.block(host, until_ms);
        // Only fails once `host_blocks` has ended (shutdown): no one left to tell.
        let _ = self.announce.send(HostBlock {
            host: host.to_string(),
            until_ms,
        });
    }
}

/// Shares Retry-After blocks between crawler replicas for as long as the crawler runs: sends
/// the ones this crawler learnt and applies the ones any replica learnt (its own included).
///
/// A hint, not the record: the store writes the host's `blocked_until` for the dispatcher from
/// the same failure. Blocks announced while the broadcast is down are sent after reconnecting,
/// so a replica hears of a block late rather than never.
async fn host_blocks(
    mq: newspipe_mq::MqConfig,
    ctx: Arc<Ctx>,
    mut announced: tokio::sync::mpsc::UnboundedReceiver<HostBlock>,
    cancel: tokio_util::sync::CancellationToken,
) {
    let mut backoff = newspipe_mq::Backoff::default();
    let mut unsent: Option<HostBlock> = None;
    loop {
        let Ok(broker) = newspipe_mq::Broker::connect(&mq, &cancel).await else {
            return; // cancelled (connect retries every other failure itself)
        };
        let ended = match broker.broadcast(HOST_BLOCK_TOPIC).await {
            Ok((sender, mut listener)) => {
                backoff.reset();
                loop {
                    if let Some(block) = unsent.take() {
                        let payload = serde_json::to_vec(&block).unwrap_or_default();
                        if let Err(e) = sender.send(&payload).await {
                            unsent = Some(block);
                            break e.to_string();
                        }
                    }
                    tokio::select! {
                        _ = cancel.cancelled() => {
                            broker.close().await;
                            return;
                        }
                        Some(block) = announced.recv() => unsent = Some(block),
                        heard = listener.next() => match heard {
                            Some(Ok(data)) => match serde_json::from_slice::<HostBlock>(&data) {
                                Ok(b) => {
                                    tracing::debug!(host = %b.host, until_ms = b.until_ms, "host blocked by a replica's Retry-After");
                                    ctx.block(&b.host, b.until_ms);
                                }
                                Err(e) => tracing::warn!(error = %e, "ignoring an unreadable host block"),
                            },
                            Some(Err(e)) => break e.to_string(),
                            None => break "host-block listener closed".to_string(),
                        },
                    }
                }
            }
            Err(e) => e.to_string(),
        };
        broker.close().await;
        if !super::retry_after_error("crawler", &ended, &mut backoff, &cancel).await {
            return;
        }
    }
}

pub async fn run(cfg: Config) -> Result<bool> {
    // First, so a SIGTERM during start-up is a clean stop too.
    let cancel = crate::shutdown::on_signal();
    crate::telemetry::init_metrics(&cfg).await?;
    crate::telemetry::spawn_progress("crawler", "pages fetched", cfg.progress_every());
    let fetcher = Fetcher::new(cfg.fetch()).context("building the HTTP client")?;
    let (announce, announced) = tokio::sync::mpsc::unbounded_channel();
    let ctx = Arc::new(Ctx {
        fetcher,
        limiter: HostLimiter::new(cfg.min_interval()),
        max_slot_wait_ms: i64::try_from(cfg.frontier.horizon_ms.saturating_mul(2))
            .unwrap_or(i64::MAX)
            .max(60_000),
        fetching: tokio::sync::Semaphore::new(cfg.crawler.concurrency.max(1)),
        blocked: Default::default(),
        announce,
        parse_inline: cfg.crawler.parse_inline.then(super::parser::cpu_slots),
    });
    let token = cancel.clone();
    let blocks = tokio::spawn(host_blocks(
        cfg.mq(),
        ctx.clone(),
        announced,
        cancel.child_token(),
    ));
    let mq = cfg.mq_for(Worker::Crawler);
    let served = super::serve(
        "crawler",
        Queue::Crawl,
        mq,
        cancel.clone(),
        move |data, publisher| {
            let ctx = ctx.clone();
            let token = token.clone();
            async move { handle(&ctx, &data, &publisher, &token).await }
        },
    )
    .await;
    cancel.cancel();
    let _ = blocks.await;
    served
}

async fn handle(
    ctx: &Ctx,
    data: &[u8],
    publisher: &Publisher,
    cancel: &tokio_util::sync::CancellationToken,
) -> Decision {
    let job = match CrawlJob::from_bytes(data) {
        Ok(j) => j,
        Err(e) => return Decision::DeadLetter(e.to_string()),
    };
    let wait = job.not_before_ms - Utc::now().timestamp_millis();
    if wait > ctx.max_slot_wait_ms {
        // The dispatcher books slots only a horizon ahead; a slot further out (clock skew, a
        // stale or forged job) would hold the delivery for nothing. Hand it back to be booked
        // afresh.
        return publish_failure(
            publisher,
            &job,
            Disposition::Requeue,
            "host slot too far ahead",
            None,
            None,
        )
        .await;
    }
    if wait > 0 {
        tokio::select! {
            _ = cancel.cancelled() => return Decision::Requeue("shutting down".into()),
            _ = tokio::time::sleep(Duration::from_millis(wait as u64)) => {}
        }
    }
    let Ok(_fetching) = ctx.fetching.acquire().await else {
        return Decision::Requeue("shutting down".into());
    };
    ctx.limiter.until_ready(&job.host).await;
    if let Some(until) = ctx.blocked_until(&job.host, Utc::now().timestamp_millis()) {
        let reason = format!(
            "host asked to wait (Retry-After) until {}",
            chrono::DateTime::<Utc>::from_timestamp_millis(until)
                .map(|d| d.to_rfc3339())
                .unwrap_or_default()
        );
        return publish_failure(publisher, &job, Disposition::Requeue, &reason, None, None).await;
    }
    // Checked last, after every wait of our own (slot, a free fetch, the local limiter).
    let late = Utc::now().timestamp_millis() - job.not_before_ms;
    if job.slot_ms > 0 && late > i64::from(newspipe_model::start_window(job.slot_ms)) {
        // Starting now could land within one interval of the host's next slot, which another
        // replica may be about to use; hand the job back to be scheduled afresh.
        return publish_failure(
            publisher,
            &job,
            Disposition::Requeue,
            "missed host slot",
            None,
            None,
        )
        .await;
    }
    let url = match Url::parse(&job.url) {
        Ok(u) => u,
        Err(e) => {
            let reason = format!("invalid URL: {e}");
            return publish_failure(publisher, &job, Disposition::Fail, &reason, None, None).await;
        }
    };
    match job.kind {
        JobKind::Robots => fetch_robots(ctx, publisher, job, &url).await,
        JobKind::Page => fetch_page(ctx, publisher, job, &url).await,
    }
}

async fn fetch_robots(ctx: &Ctx, publisher: &Publisher, job: CrawlJob, url: &Url) -> Decision {
    let fetched = ctx
        .fetcher
        .fetch_gated(url, Accept::Text, Some(&ctx.limiter))
        .await;
    let (status, body, error) = match fetched {
        Ok(f) => {
            let ok = (200..300).contains(&f.status);
            (Some(f.status), ok.then_some(f.body), None)
        }
        // A robots.txt that is not text (an HTML error page) restricts nothing.
        Err(newspipe_fetch::FetchError::UnsupportedContentType(_)) => {
            (Some(200), Some(String::new()), None)
        }
        Err(e) => {
            tracing::info!(url = %url, error = %e, "robots.txt unavailable");
            (None, None, Some(e.to_string()))
        }
    };
    let msg = StoreMsg::Robots(RobotsFetched {
        job,
        status,
        body,
        error,
        at: Utc::now(),
    });
    super::forward(publisher, Queue::Store, &StoreEnvelope::new(msg).encode()).await
}

async fn fetch_page(ctx: &Ctx, publisher: &Publisher, job: CrawlJob, url: &Url) -> Decision {
    let started = std::time::Instant::now();
    let cond = job
        .validators
        .as_ref()
        .map(|v| Conditional {
            etag: v.etag.clone(),
            last_modified: v.last_modified.clone(),
        })
        .unwrap_or_default();
    match ctx
        .fetcher
        .fetch_conditional(url, Accept::Html, Some(&ctx.limiter), &cond)
        .await
    {
        // Our copy is current: an unchanged visit, and no body crosses the queues.
        Ok(f) if f.status == 304 && job.validators.is_some() => {
            events::not_modified(started.elapsed());
            let msg = StoreMsg::NotModified(NotModified {
                job,
                at: Utc::now(),
            });
            super::forward(publisher, Queue::Store, &StoreEnvelope::new(msg).to_bytes()).await
        }
        Ok(f) => match newspipe_fetch::status_disposition(f.status) {
            None => {
                events::page_fetched(url.as_str(), f.status, f.body.len(), started.elapsed());
                let body = Zstd::compress(f.raw_bytes());
                let page = FetchedPage {
                    v: SCHEMA_VERSION,
                    job,
                    final_url: f.final_url.to_string(),
                    status: f.status,
                    content_type: f.content_type,
                    etag: f.etag,
                    last_modified: f.last_modified,
                    fetched_at: Utc::now(),
                    truncated: f.truncated,
                    charset: f.encoding.to_string(),
                    body,
                };
                let Some(cpu) = &ctx.parse_inline else {
                    return super::forward(publisher, Queue::Pages, &page.encode()).await;
                };
                // The page body crosses the broker once (to the store) instead of twice, and
                // the text the fetcher decoded is parsed as it is.
                let (bytes, text) = match f.raw {
                    Some(raw) => (raw, Some(f.body)),
                    None => (f.body.into_bytes(), None),
                };
                match super::parser::parse(page, &bytes, text, cpu).await {
                    Some(msg) => {
                        let env = StoreEnvelope::new(msg).encode();
                        super::forward(publisher, Queue::Store, &env).await
                    }
                    None => Decision::Requeue("shutting down".into()),
                }
            }
            Some(disposition) => {
                let reason = format!("HTTP {}", f.status);
                // Rounded up: a wait cut short would reach the host before the time it gave.
                let retry_after = f.retry_after_secs_ceil();
                if let Some(ms) = f.retry_after_ms() {
                    // Before the failure is published: the other replicas hold jobs of this
                    // host too, and the store's answer reaches them only via the dispatcher.
                    let until = Utc::now()
                        .timestamp_millis()
                        .saturating_add(i64::try_from(ms).unwrap_or(i64::MAX));
                    ctx.block_everywhere(&job.host, until);
                }
                publish_failure(
                    publisher,
                    &job,
                    disposition,
                    &reason,
                    Some(f.status),
                    retry_after,
                )
                .await
            }
        },
        Err(e) => {
            let reason = e.to_string();
            publish_failure(publisher, &job, e.disposition(), &reason, None, None).await
        }
    }
}

async fn publish_failure(
    publisher: &Publisher,
    job: &CrawlJob,
    disposition: Disposition,
    reason: &str,
    status: Option<u16>,
    retry_after_secs: Option<u64>,
) -> Decision {
    events::fetch_failed(&job.url, disposition, reason);
    let msg = StoreMsg::Failed(FetchFailure {
        job: job.clone(),
        disposition,
        reason: reason.to_string(),
        status,
        retry_after_secs,
        at: Utc::now(),
    });
    super::forward(publisher, Queue::Store, &StoreEnvelope::new(msg).encode()).await
}

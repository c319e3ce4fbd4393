//! Parser worker: turns a fetched page into an article and its links, off the async threads.
//! A crawler with `crawler.parse_inline` runs the same [`parse`] itself and skips this hop.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Result;
use chrono::Utc;
use newspipe_model::{
    DatedLink, Disposition, FetchFailure, FetchedPage, Message, PageKind, ParsedPage,
    StoreEnvelope, StoreMsg,
};
use newspipe_mq::{Publisher, Queue};
use tokio::sync::Semaphore;
use url::Url;

use super::Decision;
use crate::{
    config::{Config, Worker},
    events,
};

pub async fn run(cfg: Config) -> Result<bool> {
    // First, so a SIGTERM during start-up is a clean stop too.
    let cancel = crate::shutdown::on_signal();
    crate::telemetry::init_metrics(&cfg).await?;
    crate::telemetry::spawn_progress("parser", "pages parsed", cfg.progress_every());
    let cpu = Arc::new(cpu_slots());
    let max_body = cfg.crawler.max_body_bytes;
    super::serve(
        "parser",
        Queue::Pages,
        cfg.mq_for(Worker::Parser),
        cancel,
        move |data, publisher| {
            let cpu = cpu.clone();
            async move { handle(data, &publisher, &cpu, max_body).await }
        },
    )
    .await
}

/// Extraction is CPU-bound: one at a time per core keeps memory flat whatever the prefetch.
pub fn cpu_slots() -> Semaphore {
    Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
}

async fn handle(
    data: Arc<[u8]>,
    publisher: &Publisher,
    cpu: &Semaphore,
    max_body: usize,
) -> Decision {
    let page = match FetchedPage::from_bytes(&data) {
        Ok(p) => p,
        Err(e) => return Decision::DeadLetter(e.to_string()),
    };
    // A body can never be longer than the crawler's cap; one that inflates further is not ours.
    let bytes = match page.body.decompress(max_body) {
        Ok(b) => b,
        Err(e) => return Decision::DeadLetter(e.to_string()),
    };
    match parse(page, &bytes, None, cpu).await {
        Some(msg) => {
            super::forward(publisher, Queue::Store, &StoreEnvelope::new(msg).encode()).await
        }
        None => Decision::Requeue("shutting down".into()),
    }
}

/// What a fetched page yields for the store: a stored page (an article or not, with its links;
/// a sitemap or feed with its entries as links), or the reason it yields nothing. `bytes` is the
/// body as received; `text` the body already decoded with `page.charset`, if the caller has it.
/// `None` when shutting down. Shared by the parser worker and a crawler that parses inline.
pub async fn parse(
    page: FetchedPage,
    bytes: &[u8],
    text: Option<String>,
    cpu: &Semaphore,
) -> Option<StoreMsg> {
    let _permit = cpu.acquire().await.ok()?;
    let base = Url::parse(&page.final_url).ok();
    // Sitemaps and feeds are discovery documents: their entries are followed, they are never
    // articles. They are told apart from HTML by their bytes, not their URL.
    if let Some(base) = &base
        && newspipe_discover::sniff(bytes, page.content_type.as_deref()).is_some()
    {
        return Some(discovery(page, bytes, base));
    }
    let html = text.unwrap_or_else(|| newspipe_fetch::decode_labelled(bytes, &page.charset));
    let started = Instant::now();
    // The fetch time anchors relative dates ("3 hours ago").
    let fetched_at = Some(page.fetched_at.fixed_offset());
    let extracted = tokio::task::spawn_blocking(move || {
        newspipe_extract::extract_at(&html, base.as_ref(), fetched_at)
    })
    .await;
    Some(match extracted {
        Ok(x) => {
            events::page_parsed(
                &page.final_url,
                x.is_article,
                &x.kind_reason,
                x.links.len(),
                started.elapsed(),
            );
            StoreMsg::Page(Box::new(ParsedPage {
                dated: Vec::new(),
                kind: PageKind::Html,
                feeds: x.feeds.into_iter().map(String::from).collect(),
                is_article: x.is_article,
                article: x.is_article.then_some(x.article),
                links: x.links.into_iter().map(String::from).collect(),
                page,
            }))
        }
        // The extractor is fuzzed not to panic; if it still does, the URL is recorded as failed
        // with the reason instead of the message bouncing until the delivery limit.
        Err(e) => not_parsed(&page, Disposition::Fail, format!("extraction failed: {e}")),
    })
}

/// A sitemap or feed: its entries become the page's links. One that cannot be read is recorded
/// as skipped with the parser's reason (it is permanent: the same bytes fail the same way).
fn discovery(page: FetchedPage, bytes: &[u8], base: &Url) -> StoreMsg {
    let limits = newspipe_discover::Limits::default();
    match newspipe_discover::parse(bytes, base, page.content_type.as_deref(), &limits) {
        Ok(d) => {
            if let Some(why) = &d.truncated {
                tracing::info!(url = %page.final_url, reason = %why, "discovery document cut");
            }
            let kind = if d.kind.is_feed() {
                PageKind::Feed
            } else {
                PageKind::Sitemap
            };
            events::page_parsed(
                &page.final_url,
                false,
                &d.kind.as_str(),
                d.entries.len(),
                Duration::ZERO,
            );
            let dated = d
                .entries
                .iter()
                .filter_map(|e| {
                    e.changed_at().map(|at| DatedLink {
                        url: e.url.clone(),
                        changed_at: at.with_timezone(&Utc),
                        news: e.is_news,
                    })
                })
                .collect();
            StoreMsg::Page(Box::new(ParsedPage {
                kind,
                feeds: Vec::new(),
                is_article: false,
                article: None,
                dated,
                links: d.entries.into_iter().map(|e| e.url).collect(),
                page,
            }))
        }
        Err(e) => not_parsed(&page, Disposition::Skip, e.to_string()),
    }
}

/// A fetched page that yields nothing to store, recorded on its URL with the reason.
fn not_parsed(page: &FetchedPage, disposition: Disposition, reason: String) -> StoreMsg {
    StoreMsg::Failed(FetchFailure {
        job: page.job.clone(),
        disposition,
        reason,
        status: Some(page.status),
        retry_after_secs: None,
        at: Utc::now(),
    })
}

//! The dispatcher: a task of every store worker that moves due URLs from the frontier (Postgres)
//! to the crawl queue, booked into their hosts' slots.

use std::{sync::Arc, time::Duration};

use anyhow::Result;
use newspipe_model::Message;
use newspipe_mq::{Broker, Queue};
use newspipe_store::{FrontierPolicy, Store};
use tokio_util::sync::CancellationToken;

use super::Backoff;
use crate::{config::Config, events};

/// Claims due URLs and publishes them as crawl jobs. Claimed rows carry a lease: if this
/// process dies before the publish is confirmed, the lease runs out and they are claimed again.
pub async fn run(
    cfg: Config,
    store: Store,
    policy: Arc<FrontierPolicy>,
    cancel: CancellationToken,
) -> Result<()> {
    let mq = cfg.mq();
    let idle = Duration::from_millis(cfg.frontier.dispatch_every_ms.max(10));
    let mut backoff = Backoff::default();
    'connect: loop {
        let broker = match Broker::connect(&mq, &cancel).await {
            Ok(b) => b,
            Err(_) if cancel.is_cancelled() => return Ok(()),
            Err(e) => {
                return Err(anyhow::Error::new(e).context("dispatcher connecting to RabbitMQ"));
            }
        };
        let publisher = match async {
            broker.declare_topology().await?;
            broker.publisher().await
        }
        .await
        {
            Ok(p) => p,
            Err(e) => {
                broker.close().await;
                if !super::retry_after_error("dispatcher", &e, &mut backoff, &cancel).await {
                    return Ok(());
                }
                continue 'connect;
            }
        };
        loop {
            if cancel.is_cancelled() {
                publisher.close().await;
                broker.close().await;
                return Ok(());
            }
            let jobs = match store.claim_due(&policy).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    if !super::retry_after_error("dispatcher", &e, &mut backoff, &cancel).await {
                        broker.close().await;
                        return Ok(());
                    }
                    continue;
                }
            };
            let n = jobs.len();
            if n > 0 {
                let payloads = jobs.iter().map(Message::to_bytes).collect::<Vec<_>>();
                if let Err(e) = publisher.publish_all(Queue::Crawl, payloads).await {
                    // What was claimed but maybe not published goes back at once instead of
                    // waiting out its lease; a job that did reach a crawler is fenced by its
                    // attempt, so a double is harmless.
                    if let Err(e) = store.release(&jobs).await {
                        tracing::warn!(error = %e, jobs = n, "could not release unpublished jobs; their leases will expire");
                    }
                    broker.close().await;
                    if !super::retry_after_error("dispatcher", &e, &mut backoff, &cancel).await {
                        return Ok(());
                    }
                    continue 'connect;
                }
                events::dispatched(n);
            }
            backoff.reset();
            if n == 0 {
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    _ = tokio::time::sleep(idle) => {}
                }
            }
        }
    }
}

//! The dispatcher: a task of every store worker that moves due URLs from the frontier (Postgres)
//! to the crawl queue, booked into their hosts' slots.

use std::{sync::Arc, time::Duration};

use anyhow::Result;
use newspipe_model::Message;
use newspipe_mq::{Broker, Durability, Queue};
use newspipe_store::{FrontierPolicy, Store};
use tokio_util::sync::CancellationToken;

use super::Backoff;
use crate::{config::Config, events};

/// Transient jobs die with the broker. Its restart marker gone means it restarted (or never
/// had one): every lease out there is handed back before anything new is dispatched, and only
/// then is the marker put back, so a crash in between hands them back again rather than never.
async fn hand_back_if_restarted(
    broker: &Broker,
    store: &Store,
    policy: &FrontierPolicy,
) -> Result<()> {
    if broker.restart_marker_present().await? {
        return Ok(());
    }
    let urls = store.release_all_leases(policy).await?;
    events::leases_handed_back(urls);
    broker.place_restart_marker().await?;
    Ok(())
}

/// Claims due URLs and publishes them as crawl jobs. Claimed rows carry a lease: if this
/// process dies before the publish is confirmed, the lease runs out and they are claimed again.
pub async fn run(
    cfg: Config,
    store: Store,
    policy: Arc<FrontierPolicy>,
    cancel: CancellationToken,
) -> Result<()> {
    let mq = cfg.mq();
    let durability = cfg.work_durability();
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
            if durability == Durability::Transient {
                hand_back_if_restarted(&broker, &store, &policy).await?;
            }
            anyhow::Ok(broker.publisher().await?.with_durability(durability))
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
            if !broker.is_connected() {
                // Noticed even while nothing is due: after a broker restart the jobs in
                // flight must be handed back now, not when their leases run out.
                tracing::warn!("dispatcher lost its RabbitMQ connection; reconnecting");
                continue 'connect;
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

//! Store worker: commits each store message in one transaction, then acks; and runs the
//! dispatcher that moves due URLs from the frontier to the crawl queue.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use newspipe_model::{Message, StoreEnvelope, StoreMsg};
use newspipe_mq::{Broker, Queue};
use newspipe_store::{FrontierPolicy, Store};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{Backoff, Decision};
use crate::{config::Config, events};

pub fn frontier_policy(cfg: &Config) -> FrontierPolicy {
    let f = &cfg.frontier;
    FrontierPolicy {
        max_depth: f.max_depth,
        min_interval: cfg.min_interval(),
        horizon: Duration::from_millis(f.horizon_ms),
        lease: Duration::from_secs(f.lease_secs),
        max_attempts: f.max_attempts,
        backoff_base: Duration::from_secs(f.backoff_base_secs),
        max_in_flight: f.max_in_flight,
        user_agent: cfg.crawler.user_agent.clone(),
    }
}

pub async fn run(cfg: Config) -> Result<bool> {
    crate::telemetry::init_metrics(&cfg)?;
    let cancel = crate::shutdown::on_signal();
    let Some(store) = connect(&cfg, &cancel).await? else {
        return Ok(true);
    };
    let policy = Arc::new(frontier_policy(&cfg));
    let dispatcher = tokio::spawn(dispatch_loop(
        cfg.clone(),
        store.clone(),
        policy.clone(),
        cancel.clone(),
    ));
    let maintainer = tokio::spawn(maintain_loop(store.clone(), cancel.clone()));
    let (batches, rx) = mpsc::channel(usize::from(cfg.amqp.prefetch));
    let writer = tokio::spawn(write_batches(store, policy, rx, cancel.clone()));
    let served = super::serve(
        "store",
        Queue::Store,
        &cfg,
        cancel.clone(),
        move |data, _| {
            let batches = batches.clone();
            async move { handle(&batches, &data).await }
        },
    )
    .await;
    // `serve` has dropped every sender, so the writer drains what is left and ends.
    writer.await.context("store writer task")?;
    cancel.cancel();
    dispatcher.await.context("dispatcher task")??;
    maintainer.await.context("maintenance task")?;
    served
}

/// Waits for Postgres (compose may start us first) and applies migrations.
async fn connect(cfg: &Config, cancel: &CancellationToken) -> Result<Option<Store>> {
    let mut backoff = Backoff::default();
    loop {
        let attempt = async {
            let store = Store::connect(&cfg.database.url, cfg.database.max_connections).await?;
            store.migrate().await?;
            Ok::<_, newspipe_store::StoreError>(store)
        };
        match attempt.await {
            Ok(store) => return Ok(Some(store)),
            Err(e) if e.is_transient() => {
                events::transient("store", &e, Duration::ZERO);
                if !backoff.wait(cancel).await {
                    return Ok(None);
                }
            }
            Err(e) => return Err(anyhow::Error::new(e).context("preparing the database")),
        }
    }
}

/// What the writer did with one message.
enum Written {
    Committed(&'static str),
    /// Permanent failure: the message can never be applied.
    Rejected(String),
    /// Shutting down before it could be committed.
    NotDone,
}

type Job = (StoreMsg, oneshot::Sender<Written>);

async fn handle(batches: &mpsc::Sender<Job>, data: &[u8]) -> Decision {
    let env = match StoreEnvelope::from_bytes(data) {
        Ok(e) => e,
        Err(e) => return Decision::DeadLetter(e.to_string()),
    };
    let (reply, answer) = oneshot::channel();
    if batches.send((env.msg, reply)).await.is_err() {
        return Decision::Requeue("store writer stopped".into());
    }
    match answer.await {
        Ok(Written::Committed(kind)) => {
            events::stored(kind);
            Decision::Ack
        }
        Ok(Written::Rejected(reason)) => Decision::DeadLetter(reason),
        Ok(Written::NotDone) | Err(_) => Decision::Requeue("not committed".into()),
    }
}

fn kind(msg: &StoreMsg) -> &'static str {
    match msg {
        StoreMsg::Page(_) => "page",
        StoreMsg::Failed(_) => "failed",
        StoreMsg::Robots(_) => "robots",
    }
}

/// Most messages committed in one transaction. Bounded by the prefetch in practice (a batch
/// holds at most what the broker has delivered and not yet seen acked).
const MAX_BATCH: usize = 256;
/// Batches in flight at once: one commits while the next is being applied, so the store and
/// Postgres do not take turns.
const BATCHES_IN_FLIGHT: usize = 2;

/// Commits whatever deliveries have arrived as one transaction per batch: a commit per
/// message, not the work in it, bounds the store's throughput. A message that fails on its own
/// is isolated by `apply_batch` and dead-lettered; the rest of its batch still commits.
async fn write_batches(
    store: Store,
    policy: Arc<FrontierPolicy>,
    mut rx: mpsc::Receiver<Job>,
    cancel: CancellationToken,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(BATCHES_IN_FLIGHT));
    let tasks = tokio_util::task::TaskTracker::new();
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    loop {
        // Wait for a free slot first, so deliveries keep gathering into the next batch meanwhile.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        if rx.recv_many(&mut jobs, MAX_BATCH).await == 0 {
            break;
        }
        let batch: Vec<Job> = std::mem::take(&mut jobs);
        let (store, policy, cancel) = (store.clone(), policy.clone(), cancel.clone());
        tasks.spawn(async move {
            write_batch(&store, &policy, batch, &cancel).await;
            drop(slot);
        });
    }
    tasks.close();
    tasks.wait().await;
}

async fn write_batch(
    store: &Store,
    policy: &FrontierPolicy,
    jobs: Vec<Job>,
    cancel: &CancellationToken,
) {
    let (msgs, replies): (Vec<StoreMsg>, Vec<oneshot::Sender<Written>>) =
        jobs.into_iter().unzip();
    let mut backoff = Backoff::default();
    let results = loop {
        match store.apply_batch(&msgs, policy).await {
            Ok(results) => break Some(results),
            // Postgres is restarting or overloaded, or two batches deadlocked: keep the
            // deliveries unacked and retry, rather than burning their delivery budget.
            Err(e) if e.is_transient() => {
                events::transient("store", &e, Duration::ZERO);
                if !backoff.wait(cancel).await {
                    break None;
                }
            }
            // Unexpected: hand the deliveries back; the delivery limit dead-letters them if
            // this keeps happening.
            Err(e) => {
                tracing::error!(error = %e, "store batch failed");
                break None;
            }
        }
    };
    for (i, (msg, reply)) in msgs.iter().zip(replies).enumerate() {
        let written = match results.as_ref().and_then(|r| r.get(i)) {
            Some(Ok(_)) => Written::Committed(kind(msg)),
            Some(Err(e)) if e.is_transient() => Written::NotDone,
            Some(Err(e)) => Written::Rejected(format!("{}: {e}", kind(msg))),
            None => Written::NotDone,
        };
        // The handler may be gone (connection lost); the broker redelivers then.
        let _ = reply.send(written);
    }
}

/// How often maintenance runs: the search index and the counters are at most this stale.
const MAINTAIN_EVERY: Duration = Duration::from_secs(1);
/// Search documents built per statement.
const SEARCH_BATCH: i64 = 500;

/// Keeps partitions ahead, folds counters and builds search documents, about once a second.
async fn maintain_loop(store: Store, cancel: CancellationToken) {
    let mut backoff = Backoff::default();
    loop {
        let wait = match store.maintain(SEARCH_BATCH).await {
            Ok(m) => {
                backoff.reset();
                if m.documents_indexed > 0 {
                    tracing::debug!(documents = m.documents_indexed, "search index updated");
                }
                MAINTAIN_EVERY
            }
            Err(e) => {
                events::transient("maintenance", &e, Duration::ZERO);
                backoff.next_delay()
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Claims due URLs and publishes them as crawl jobs. Claimed rows carry a lease: if this
/// process dies before the publish is confirmed, the lease runs out and they are claimed again.
async fn dispatch_loop(
    cfg: Config,
    store: Store,
    policy: Arc<FrontierPolicy>,
    cancel: CancellationToken,
) -> Result<()> {
    let mq = super::mq_config(&cfg);
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
                events::transient("dispatcher", &e, Duration::ZERO);
                broker.close().await;
                if !backoff.wait(&cancel).await {
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
                    events::transient("dispatcher", &e, Duration::ZERO);
                    if !backoff.wait(&cancel).await {
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
                    events::transient("dispatcher", &e, Duration::ZERO);
                    // What was claimed but maybe not published goes back at once instead of
                    // waiting out its lease; a job that did reach a crawler is fenced by its
                    // attempt, so a double is harmless.
                    if let Err(e) = store.release(&jobs).await {
                        tracing::warn!(error = %e, jobs = n, "could not release unpublished jobs; their leases will expire");
                    }
                    broker.close().await;
                    if !backoff.wait(&cancel).await {
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

//! Store worker: commits store messages in batches, then acks each; runs the dispatcher
//! (`dispatcher.rs`) and the archive's maintenance (partitions, counters, search index).

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result};
use newspipe_model::{Message, StoreEnvelope, StoreMsg};
use newspipe_mq::Queue;
use newspipe_store::{FrontierPolicy, Store};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::{Backoff, Decision};
use crate::{
    config::{Config, Worker},
    events,
};

pub async fn run(cfg: Config) -> Result<bool> {
    // First, so a SIGTERM during start-up is a clean stop too.
    let cancel = crate::shutdown::on_signal();
    crate::telemetry::init_metrics(&cfg).await?;
    crate::telemetry::spawn_progress("store", "messages stored", cfg.progress_every());
    let Some(store) = connect(&cfg, &cancel).await? else {
        return Ok(true);
    };
    let policy = Arc::new(cfg.frontier());
    let dispatcher = tokio::spawn(super::dispatcher::run(
        cfg.clone(),
        store.clone(),
        policy.clone(),
        cancel.clone(),
    ));
    let maintainer = tokio::spawn(maintain_loop(store.clone(), cancel.clone()));
    let mq = cfg.mq_for(Worker::Store);
    let (batches, rx) = mpsc::channel(usize::from(mq.prefetch));
    // A batch holds at most what the broker has delivered and not seen acked: the prefetch.
    let max_batch = usize::from(mq.prefetch).max(1);
    let writer = tokio::spawn(write_batches(store, policy, rx, max_batch, cancel.clone()));
    let served = super::serve("store", Queue::Store, mq, cancel.clone(), move |data, _| {
        let batches = batches.clone();
        async move { handle(&batches, &data).await }
    })
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
            let store =
                Store::connect_creating(&cfg.database.url, cfg.database.max_connections).await?;
            store.migrate().await?;
            Ok::<_, newspipe_store::StoreError>(store)
        };
        match attempt.await {
            Ok(store) => return Ok(Some(store)),
            Err(e) if e.is_transient() => {
                if !super::retry_after_error("store", &e, &mut backoff, cancel).await {
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
        StoreMsg::NotModified(_) => "not_modified",
    }
}

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
    max_batch: usize,
    cancel: CancellationToken,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(BATCHES_IN_FLIGHT));
    let tasks = tokio_util::task::TaskTracker::new();
    let mut jobs: Vec<Job> = Vec::with_capacity(max_batch);
    loop {
        // Wait for a free slot first, so deliveries keep gathering into the next batch meanwhile.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        if rx.recv_many(&mut jobs, max_batch).await == 0 {
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
    let (msgs, replies): (Vec<StoreMsg>, Vec<oneshot::Sender<Written>>) = jobs.into_iter().unzip();
    let mut backoff = Backoff::default();
    let results = loop {
        match store.apply_batch(&msgs, policy).await {
            Ok(results) => break Some(results),
            // Postgres is restarting or overloaded, or two batches deadlocked: keep the
            // deliveries unacked and retry, rather than burning their delivery budget.
            Err(e) if e.is_transient() => {
                if !super::retry_after_error("store", &e, &mut backoff, cancel).await {
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
                    tracing::debug!(
                        documents = m.documents_indexed,
                        "older search documents rebuilt"
                    );
                }
                MAINTAIN_EVERY
            }
            Err(e) => {
                let wait = backoff.next_delay();
                events::transient("maintenance", &e, wait);
                wait
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

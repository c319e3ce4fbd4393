//! The long-running workers and the consume → process → publish → ack loop they share.
//!
//! Every worker reads the same way: decode the delivery, do the work, publish the result with a
//! publisher confirm (or commit it), and only then ack. A handler returns a [`Decision`]; this
//! module turns it into ack / requeue / dead-letter, so that rule lives in one place.

pub mod crawler;
pub mod dispatcher;
pub mod parser;
pub mod store;

use std::{future::Future, sync::Arc};

use anyhow::Result;
use newspipe_mq::{Broker, Delivery, Publisher, Queue};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::events;

/// What to do with a delivery once its handler is done.
#[derive(Debug)]
pub enum Decision {
    /// The effect is durable downstream.
    Ack,
    /// It can never succeed (undecodable, permanent error): park it in `<prefix>.dead`.
    DeadLetter(String),
    /// Not done (shutdown, a publish that may succeed later): return it to the queue; the
    /// delivery limit bounds this.
    Requeue(String),
    /// The broker connection is broken (or the topology missing): leave the delivery unacked
    /// (it is redelivered) and start a new session.
    Reconnect(String),
    /// Retrying cannot help (configuration, access refused): stop the worker with an error.
    Fatal(String),
}

/// Reconnect and retry waits: 200 ms doubling to 3 s, jitter included in the cap.
pub use newspipe_mq::Backoff;

/// Logs a transient error with the wait that follows it, then waits; false if cancelled first.
pub async fn retry_after_error(
    worker: &'static str,
    error: &(dyn std::fmt::Display + Sync),
    backoff: &mut Backoff,
    cancel: &CancellationToken,
) -> bool {
    let wait = backoff.next_delay();
    events::transient(worker, error, wait);
    tokio::select! {
        _ = cancel.cancelled() => false,
        _ = tokio::time::sleep(wait) => true,
    }
}

/// Consumes `queue` until `cancel`, reconnecting with backoff when the broker goes away.
///
/// Concurrency is bounded by the consumer's prefetch: each delivery is one task, and a task holds
/// its delivery until it is acked, so the broker never sends more than `prefetch` at a time.
pub async fn serve<H, Fut>(
    worker: &'static str,
    queue: Queue,
    mq: newspipe_mq::MqConfig,
    cancel: CancellationToken,
    handler: H,
) -> Result<bool>
where
    H: Fn(Arc<[u8]>, Publisher) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Decision> + Send + 'static,
{
    let mut backoff = Backoff::default();
    let tag = format!("{worker}-{}", std::process::id());
    loop {
        let broker = match Broker::connect(&mq, &cancel).await {
            Ok(b) => b,
            Err(_) if cancel.is_cancelled() => return Ok(true),
            Err(e) => {
                // connect() already retries; reaching here means a non-transient refusal.
                return Err(anyhow::Error::new(e).context("connecting to RabbitMQ"));
            }
        };
        tracing::info!(worker, queue = %queue.name(&mq.prefix), "consuming");
        let session = consume(
            worker,
            &broker,
            queue,
            &tag,
            &cancel,
            &handler,
            &mut backoff,
        )
        .await;
        broker.close().await;
        match session {
            Ok(()) => {
                tracing::info!(worker, "drained; exiting");
                return Ok(true);
            }
            Err(SessionEnd::Fatal(reason)) => {
                anyhow::bail!("{worker}: {reason}");
            }
            Err(SessionEnd::Broken(reason)) => {
                if !retry_after_error(worker, &reason, &mut backoff, &cancel).await {
                    return Ok(true);
                }
            }
        }
    }
}

/// Why a consume session ended early.
enum SessionEnd {
    /// The connection or channel broke, or a handler asked to reconnect: start a new session.
    Broken(String),
    /// Retrying cannot help.
    Fatal(String),
}

impl From<newspipe_mq::MqError> for SessionEnd {
    fn from(e: newspipe_mq::MqError) -> Self {
        match e.action() {
            newspipe_mq::MqAction::Fatal => Self::Fatal(e.to_string()),
            _ => Self::Broken(e.to_string()),
        }
    }
}

async fn consume<H, Fut>(
    worker: &'static str,
    broker: &Broker,
    queue: Queue,
    tag: &str,
    cancel: &CancellationToken,
    handler: &H,
    backoff: &mut Backoff,
) -> Result<(), SessionEnd>
where
    H: Fn(Arc<[u8]>, Publisher) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Decision> + Send + 'static,
{
    broker.declare_topology().await?;
    let publisher = broker.publisher().await?;
    let mut consumer = broker.consumer(queue, tag).await?;
    backoff.reset();
    crate::telemetry::set_consuming(true);
    let tracker = TaskTracker::new();
    // A handler that finds the session broken (or fatally refused) ends it for everyone.
    let (ended_tx, mut ended) = tokio::sync::mpsc::channel::<SessionEnd>(1);
    let result = loop {
        tokio::select! {
            _ = cancel.cancelled() => break Ok(()),
            Some(end) = ended.recv() => break Err(end),
            next = consumer.next() => match next {
                Some(Ok(delivery)) => {
                    let h = handler.clone();
                    let p = publisher.clone();
                    tracker.spawn(handle(worker, delivery, h, p, ended_tx.clone()));
                }
                Some(Err(e)) => break Err(e.into()),
                None => break Err(SessionEnd::Broken("consumer closed".into())),
            }
        }
    };
    crate::telemetry::set_consuming(false);
    // Stop new deliveries first. On shutdown, let in-flight work publish and ack; when the
    // session broke, their deliveries cannot be settled on this channel anyway (the broker
    // redelivers them), so reconnect at once instead of waiting for slow fetches to end.
    consumer.cancel().await;
    tracker.close();
    if result.is_ok() {
        tracker.wait().await;
    }
    // Close our channels before the connection so the broker sees an orderly goodbye.
    if let Err(e) = consumer.close().await {
        tracing::debug!(error = %e, "closing consumer channel");
    }
    publisher.close().await;
    result
}

/// Publishes a worker's output and acks only once the broker confirmed it; otherwise the mq
/// crate's decision for the error says what happens to the input.
pub async fn forward(publisher: &Publisher, queue: Queue, payload: &[u8]) -> Decision {
    match publisher.publish(queue, payload).await {
        Ok(()) => Decision::Ack,
        Err(e) => {
            let reason = format!("publish failed: {e}");
            match e.action() {
                newspipe_mq::MqAction::Retry => Decision::Requeue(reason),
                newspipe_mq::MqAction::DeadLetter => Decision::DeadLetter(reason),
                newspipe_mq::MqAction::Fatal => Decision::Fatal(reason),
                newspipe_mq::MqAction::Reconnect | newspipe_mq::MqAction::Shutdown => {
                    Decision::Reconnect(reason)
                }
            }
        }
    }
}

async fn handle<H, Fut>(
    worker: &'static str,
    mut delivery: Delivery,
    handler: H,
    publisher: Publisher,
    ended: tokio::sync::mpsc::Sender<SessionEnd>,
) where
    H: Fn(Arc<[u8]>, Publisher) -> Fut,
    Fut: Future<Output = Decision>,
{
    // A message that came back unsettled is counted first (classic queues), so one that
    // keeps crashing a worker ends in the dead queue after the delivery limit.
    delivery = match delivery.admit(&publisher, worker).await {
        Ok(newspipe_mq::Admission::Process(d)) => d,
        Ok(newspipe_mq::Admission::Returned) => return,
        Ok(newspipe_mq::Admission::DeadLettered(how)) => {
            events::dead_lettered(worker, "delivery limit");
            if let newspipe_mq::DeadLettered::Rejected(e) = how {
                tracing::warn!(error = %e, "dead-lettered without its reason header");
            }
            return;
        }
        Err(e) => {
            // Handed back uncounted (or left unsettled): it is counted when it comes again.
            tracing::warn!(error = %e, "could not count a returned delivery");
            match e.action() {
                newspipe_mq::MqAction::Retry | newspipe_mq::MqAction::DeadLetter => {}
                _ => {
                    let _ = ended.try_send(SessionEnd::from(e));
                }
            }
            return;
        }
    };
    // The handler shares the body; it is copied back only to dead-letter it with a reason.
    let data: Arc<[u8]> = std::mem::take(&mut delivery.data).into();
    // What comes of a message is as durable as the message: transient crawl jobs (leased in
    // the frontier) yield transient pages and store messages.
    let forward_with = publisher.with_durability(delivery.durability());
    let outcome = match handler(data.clone(), forward_with).await {
        Decision::Ack => delivery.ack().await,
        Decision::DeadLetter(reason) => {
            events::dead_lettered(worker, &reason);
            delivery.data = data.to_vec();
            match delivery
                .dead_letter_with_reason(&publisher, worker, &reason)
                .await
            {
                Ok(newspipe_mq::DeadLettered::WithReason) => Ok(()),
                Ok(newspipe_mq::DeadLettered::Rejected(e)) => {
                    tracing::warn!(error = %e, "dead-lettered without its reason header");
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
        Decision::Requeue(reason) => {
            tracing::debug!(reason, "returning delivery to the queue");
            delivery.retry_later().await
        }
        Decision::Reconnect(reason) => {
            // Unsettled, it comes back when the channel closes.
            let _ = ended.try_send(SessionEnd::Broken(reason));
            Ok(())
        }
        Decision::Fatal(reason) => {
            let _ = ended.try_send(SessionEnd::Fatal(reason));
            Ok(())
        }
    };
    if let Err(e) = outcome {
        // The channel is gone; the broker redelivers the message to the next consumer.
        tracing::warn!(error = %e, "could not settle delivery; it will be redelivered");
    }
}

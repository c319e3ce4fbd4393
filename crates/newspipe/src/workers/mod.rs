//! The long-running workers and the consume → process → publish → ack loop they share.
//!
//! Every worker reads the same way: decode the delivery, do the work, publish the result with a
//! publisher confirm (or commit it), and only then ack. A handler returns a [`Decision`]; this
//! module turns it into ack / requeue / dead-letter, so that rule lives in one place.

pub mod crawler;
pub mod dispatcher;
pub mod parser;
pub mod store;

use std::{future::Future, time::Duration};

use anyhow::Result;
use newspipe_mq::{Broker, Delivery, Publisher, Queue};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{config::Config, events};

/// What to do with a delivery once its handler is done.
#[derive(Debug)]
pub enum Decision {
    /// The effect is durable downstream.
    Ack,
    /// It can never succeed (undecodable, permanent error): park it in `<prefix>.dead`.
    DeadLetter(String),
    /// Not done (shutdown, broker trouble): return it to the queue; the delivery limit bounds this.
    Requeue(String),
}

/// First reconnect or retry wait of a worker loop.
const RETRY_BASE: Duration = Duration::from_millis(200);
/// Longest such wait, jitter included.
pub const RETRY_CAP: Duration = Duration::from_secs(10);

/// The waits of one retry loop: [`newspipe_model::backoff`] from 200 ms up to 10 s.
#[derive(Debug, Default)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub fn next_delay(&mut self) -> Duration {
        let d = newspipe_model::backoff(RETRY_BASE, RETRY_CAP, self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        d
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Sleeps for the next delay; false if cancelled first.
    pub async fn wait(&mut self, cancel: &CancellationToken) -> bool {
        let d = self.next_delay();
        tokio::select! {
            _ = cancel.cancelled() => false,
            _ = tokio::time::sleep(d) => true,
        }
    }
}

/// Consumes `queue` until `cancel`, reconnecting with backoff when the broker goes away.
///
/// Concurrency is bounded by the consumer's prefetch: each delivery is one task, and a task holds
/// its delivery until it is acked, so the broker never sends more than `prefetch` at a time.
pub async fn serve<H, Fut>(
    worker: &'static str,
    queue: Queue,
    cfg: &Config,
    cancel: CancellationToken,
    handler: H,
) -> Result<bool>
where
    H: Fn(Vec<u8>, Publisher) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Decision> + Send + 'static,
{
    let mq = cfg.mq();
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
            Err(e) => {
                events::transient(worker, &e, Duration::ZERO);
                if !backoff.wait(&cancel).await {
                    return Ok(true);
                }
            }
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
) -> Result<(), newspipe_mq::MqError>
where
    H: Fn(Vec<u8>, Publisher) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Decision> + Send + 'static,
{
    broker.declare_topology().await?;
    let publisher = broker.publisher().await?;
    let mut consumer = broker.consumer(queue, tag).await?;
    backoff.reset();
    let tracker = TaskTracker::new();
    let result = loop {
        tokio::select! {
            _ = cancel.cancelled() => break Ok(()),
            next = consumer.next() => match next {
                Some(Ok(delivery)) => {
                    let h = handler.clone();
                    let p = publisher.clone();
                    tracker.spawn(handle(worker, delivery, h, p));
                }
                Some(Err(e)) => break Err(e),
                None => break Err(newspipe_mq::MqError::ConsumerClosed),
            }
        }
    };
    // Stop new deliveries first, then let in-flight work publish and ack.
    consumer.cancel().await;
    tracker.close();
    tracker.wait().await;
    // Close our channels before the connection so the broker sees an orderly goodbye.
    if let Err(e) = consumer.close().await {
        tracing::debug!(error = %e, "closing consumer channel");
    }
    publisher.close().await;
    result
}

/// Publishes a worker's output and acks only once the broker confirmed it; otherwise the input
/// goes back to its queue.
pub async fn forward(publisher: &Publisher, queue: Queue, payload: &[u8]) -> Decision {
    match publisher.publish(queue, payload).await {
        Ok(()) => Decision::Ack,
        Err(e) => Decision::Requeue(format!("publish failed: {e}")),
    }
}

async fn handle<H, Fut>(
    worker: &'static str,
    mut delivery: Delivery,
    handler: H,
    publisher: Publisher,
) where
    H: Fn(Vec<u8>, Publisher) -> Fut,
    Fut: Future<Output = Decision>,
{
    // The handler owns the body; the delivery is kept only to settle it.
    let data = std::mem::take(&mut delivery.data);
    let outcome = match handler(data, publisher).await {
        Decision::Ack => delivery.ack().await,
        Decision::DeadLetter(reason) => {
            events::dead_lettered(worker, &reason);
            delivery.dead_letter().await
        }
        Decision::Requeue(reason) => {
            tracing::debug!(reason, "returning delivery to the queue");
            delivery.retry_later().await
        }
    };
    if let Err(e) = outcome {
        // The channel is gone; the broker redelivers the message to the next consumer.
        tracing::warn!(error = %e, "could not settle delivery; it will be redelivered");
    }
}

//! Consuming with prefetch and manual acknowledgement, and the deliveries it yields.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicNackOptions, BasicRejectOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Acker, Channel};
use tracing::{debug, warn};

use crate::MqError;

/// A stream of deliveries from one queue, on its own channel with `basic.qos(prefetch)`.
///
/// Yields `Result<Delivery, MqError>`; ends (`None`) after [`Consumer::cancel`] once the
/// deliveries already received have been yielded. If the stream would end without our
/// cancel (broker cancelled us, channel died), it first yields one error whose
/// `is_connection_lost()` is true, so a worker loop never mistakes that for a shutdown.
pub struct Consumer {
    channel: Channel,
    inner: lapin::Consumer,
    queue: String,
    tag: ShortString,
    cancel_requested: Arc<AtomicBool>,
    errored: bool,
    finished: bool,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("queue", &self.queue)
            .field("tag", &self.tag.as_str())
            .field("channel", &self.channel.id())
            .finish()
    }
}

/// A handle that cancels a [`Consumer`] from another task (e.g. the shutdown watcher)
/// while the consuming loop keeps draining.
#[derive(Clone, Debug)]
pub struct ConsumerCanceller {
    channel: Channel,
    tag: ShortString,
    cancel_requested: Arc<AtomicBool>,
}

impl ConsumerCanceller {
    /// Sends `basic.cancel`: the broker stops delivering; deliveries already received are
    /// still yielded and can be acked; then the stream ends with `None`. Idempotent.
    /// Never fails: if the channel is already gone, no more deliveries can come anyway.
    pub async fn cancel(&self) {
        if self.cancel_requested.swap(true, Ordering::SeqCst) {
            return;
        }
        debug!(tag = self.tag.as_str(), "cancelling consumer");
        if let Err(e) = self
            .channel
            .basic_cancel(self.tag.clone(), BasicCancelOptions::default())
            .await
        {
            debug!(tag = self.tag.as_str(), error = %e, "basic.cancel failed; channel gone");
        }
    }
}

impl Consumer {
    pub(crate) fn new(channel: Channel, inner: lapin::Consumer, queue: String) -> Self {
        let tag = inner.tag();
        Self {
            channel,
            inner,
            queue,
            tag,
            cancel_requested: Arc::new(AtomicBool::new(false)),
            errored: false,
            finished: false,
        }
    }

    /// The next delivery; `None` once cancelled and drained.
    pub async fn next(&mut self) -> Option<Result<Delivery, MqError>> {
        StreamExt::next(self).await
    }

    /// The full name of the queue consumed.
    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// The consumer tag (the broker's, if an empty one was asked for).
    pub fn tag(&self) -> &str {
        self.tag.as_str()
    }

    /// A handle to cancel this consumer from another task.
    pub fn canceller(&self) -> ConsumerCanceller {
        ConsumerCanceller {
            channel: self.channel.clone(),
            tag: self.tag.clone(),
            cancel_requested: self.cancel_requested.clone(),
        }
    }

    /// See [`ConsumerCanceller::cancel`].
    pub async fn cancel(&self) {
        self.canceller().cancel().await
    }

    /// Closes the consumer's channel. Deliveries not yet acked go back to the queue (the
    /// broker requeues them) and acking them afterwards fails with [`MqError::AckLost`];
    /// so ack in-flight work first. Outstanding [`Delivery`] values keep the channel open
    /// until they are dropped, which is why this closes it explicitly.
    pub async fn close(self) -> Result<(), MqError> {
        self.cancel_requested.store(true, Ordering::SeqCst);
        if !self.channel.status().connected() {
            return Ok(());
        }
        self.channel
            .close(200, ShortString::from("consumer closed"))
            .await?;
        Ok(())
    }
}

impl Stream for Consumer {
    type Item = Result<Delivery, MqError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.finished {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(d))) => Poll::Ready(Some(Ok(Delivery::from_lapin(
                d,
                this.channel.clone(),
                this.queue.clone(),
            )))),
            Poll::Ready(Some(Err(e))) => {
                // lapin always follows an error with the end of the stream.
                this.errored = true;
                let err = MqError::from(e);
                warn!(queue = %this.queue, error = %err, "consumer failed");
                Poll::Ready(Some(Err(err)))
            }
            Poll::Ready(None) => {
                this.finished = true;
                if this.errored || this.cancel_requested.load(Ordering::SeqCst) {
                    Poll::Ready(None)
                } else {
                    warn!(queue = %this.queue, "broker cancelled the consumer");
                    Poll::Ready(Some(Err(MqError::ConsumerCancelled {
                        queue: this.queue.clone(),
                    })))
                }
            }
        }
    }
}

/// Where and why a message was dead-lettered (from `x-first-death-*` headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Death {
    /// The queue the message died in (full name).
    pub queue: String,
    /// RabbitMQ's reason: `rejected` (our `dead_letter`), `delivery_limit`, `expired`, …
    pub reason: String,
}

/// One message received from a queue. It must end in exactly one of [`Delivery::ack`],
/// [`Delivery::retry_later`] or [`Delivery::dead_letter`]; dropping it leaves it unacked
/// until its channel closes, when the broker redelivers it.
pub struct Delivery {
    /// The message body (JSON by convention). Take it with `std::mem::take` if needed.
    pub data: Vec<u8>,
    /// The broker flagged it as possibly seen before.
    pub redelivered: bool,
    /// How many earlier deliveries of this message failed (quorum `x-delivery-count`;
    /// 0 on the first delivery). When it would exceed `delivery_limit`, the broker
    /// dead-letters the message instead of delivering it.
    pub delivery_count: u32,
    /// The full name of the queue it was taken from.
    pub queue: String,
    /// The routing key it was published with.
    pub routing_key: String,
    /// Set on messages in the dead queue.
    pub death: Option<Death>,
    acker: Acker,
    // Keeps the channel open while this delivery is unacked, even if the Consumer is gone.
    _channel: Channel,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("queue", &self.queue)
            .field("bytes", &self.data.len())
            .field("redelivered", &self.redelivered)
            .field("delivery_count", &self.delivery_count)
            .field("death", &self.death)
            .finish()
    }
}

impl Delivery {
    pub(crate) fn from_lapin(d: lapin::message::Delivery, channel: Channel, queue: String) -> Self {
        let headers = d.properties.headers().as_ref();
        let delivery_count = headers
            .and_then(|h| h.inner().get("x-delivery-count"))
            .and_then(as_u32)
            .unwrap_or(0);
        let death = headers.and_then(|h| {
            Some(Death {
                queue: header_string(h, "x-first-death-queue")?,
                reason: header_string(h, "x-first-death-reason")?,
            })
        });
        Self {
            data: d.data,
            redelivered: d.redelivered,
            delivery_count,
            queue,
            routing_key: d.routing_key.to_string(),
            death,
            acker: d.acker,
            _channel: channel,
        }
    }

    /// Done: the broker forgets the message. Call only once its effect is durable
    /// downstream (confirm or commit). `Err` means the broker did not get the ack and will
    /// redeliver (lapin's `Ok(false)` becomes [`MqError::AckLost`]).
    pub async fn ack(self) -> Result<(), MqError> {
        acked(self.acker.ack(BasicAckOptions::default()).await)
    }

    /// Transient failure: requeue (`basic.nack`, requeue). Counts toward the delivery
    /// limit; past it the broker moves the message to the dead queue.
    pub async fn retry_later(self) -> Result<(), MqError> {
        acked(
            self.acker
                .nack(BasicNackOptions {
                    multiple: false,
                    requeue: true,
                })
                .await,
        )
    }

    /// Permanent failure (poison message): `basic.reject` without requeue, which the
    /// queue's dead-letter exchange routes to `{prefix}.dead`.
    pub async fn dead_letter(self) -> Result<(), MqError> {
        acked(
            self.acker
                .reject(BasicRejectOptions { requeue: false })
                .await,
        )
    }
}

fn acked(res: lapin::Result<bool>) -> Result<(), MqError> {
    match res {
        Ok(true) => Ok(()),
        // lapin's "acker already used or channel poisoned": the broker never saw it.
        Ok(false) => Err(MqError::AckLost),
        Err(e) => Err(MqError::from(e)),
    }
}

fn as_u32(v: &AMQPValue) -> Option<u32> {
    let n: i128 = match v {
        AMQPValue::ShortShortInt(n) => (*n).into(),
        AMQPValue::ShortShortUInt(n) => (*n).into(),
        AMQPValue::ShortInt(n) => (*n).into(),
        AMQPValue::ShortUInt(n) => (*n).into(),
        AMQPValue::LongInt(n) => (*n).into(),
        AMQPValue::LongUInt(n) => (*n).into(),
        AMQPValue::LongLongInt(n) => (*n).into(),
        AMQPValue::Timestamp(n) => (*n).into(),
        _ => return None,
    };
    u32::try_from(n.max(0)).ok()
}

fn header_string(h: &FieldTable, key: &str) -> Option<String> {
    match h.inner().get(key)? {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

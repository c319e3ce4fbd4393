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
    counting: Option<Counting>,
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
    pub(crate) fn new(
        channel: Channel,
        inner: lapin::Consumer,
        queue: String,
        counting: Option<Counting>,
    ) -> Self {
        let tag = inner.tag();
        Self {
            channel,
            inner,
            queue,
            counting,
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
                this.counting,
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
    /// How many earlier deliveries of this message failed (quorum `x-delivery-count`, or on
    /// a classic queue [`RETURNS_HEADER`]; 0 on the first delivery). When it would exceed
    /// `delivery_limit`, the message is dead-lettered instead (by the broker on a quorum
    /// queue, by [`Delivery::admit`] on a classic one).
    pub delivery_count: u32,
    /// The full name of the queue it was taken from.
    pub queue: String,
    /// The routing key it was published with.
    pub routing_key: String,
    /// Set on messages in the dead queue.
    pub death: Option<Death>,
    content_type: Option<ShortString>,
    headers: Option<FieldTable>,
    durability: crate::Durability,
    counting: Option<Counting>,
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
    pub(crate) fn from_lapin(
        d: lapin::message::Delivery,
        channel: Channel,
        queue: String,
        counting: Option<Counting>,
    ) -> Self {
        let headers = d.properties.headers().as_ref();
        // The broker's count on a quorum queue, ours on a classic one.
        let delivery_count = headers
            .and_then(|h| {
                h.inner()
                    .get("x-delivery-count")
                    .or_else(|| h.inner().get(RETURNS_HEADER))
            })
            .and_then(as_u32)
            .unwrap_or(0);
        let death = headers.and_then(|h| {
            Some(Death {
                queue: header_string(h, "x-first-death-queue")?,
                reason: header_string(h, "x-first-death-reason")?,
            })
        });
        Self {
            content_type: d.properties.content_type().clone(),
            durability: crate::Durability::of(*d.properties.delivery_mode()),
            headers: d.properties.headers().clone(),
            counting,
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

    /// How durable the message was published: what comes of it should be published the same
    /// way ([`crate::Publisher::with_durability`]).
    pub fn durability(&self) -> crate::Durability {
        self.durability
    }

    /// Done: the broker forgets the message. Call only once its effect is durable
    /// downstream (confirm or commit). `Err` means the broker did not get the ack and will
    /// redeliver (lapin's `Ok(false)` becomes [`MqError::AckLost`]).
    pub async fn ack(self) -> Result<(), MqError> {
        acked(self.acker.ack(BasicAckOptions::default()).await)
    }

    /// Transient failure: requeue (`basic.nack`, requeue). Counts toward the delivery
    /// limit; past it the message goes to the dead queue (see [`Delivery::admit`]).
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

/// A classic work queue's consumer counts deliveries itself: which queue a returned copy goes
/// back to, and the limit past which it is dead-lettered instead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Counting {
    pub(crate) queue: crate::Queue,
    pub(crate) limit: u32,
}

/// Header of a copy put back by [`Delivery::admit`]: how many times the message came back
/// without being settled (read as [`Delivery::delivery_count`]). Dropped by a dead-letter
/// replay, which starts the count afresh as RabbitMQ does with `x-delivery-count`.
pub const RETURNS_HEADER: &str = "x-newspipe-returns";

/// What [`Delivery::admit`] did with a delivery.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "moved once per delivery and unpacked at once; a Box would allocate per message"
)]
pub enum Admission {
    /// Work on it as usual.
    Process(Delivery),
    /// It had come back unsettled (`redelivered`): a copy counting the return is confirmed at
    /// the back of its queue and this delivery is acked. Nothing more to do with it.
    Returned,
    /// It came back more than `delivery_limit` times: it is in `{prefix}.dead` with the reason.
    DeadLettered(DeadLettered),
}

impl Delivery {
    /// The delivery limit of a classic queue, which RabbitMQ cannot keep there; call it first
    /// with every delivery (on a quorum queue it only hands the delivery back).
    ///
    /// A delivery flagged `redelivered` came back unsettled: a `retry_later`, or a worker
    /// that died or lost its channel while holding it. Such a message is published again with
    /// its count of returns raised ([`RETURNS_HEADER`]) and then acked, so the count travels
    /// with the message; past `delivery_limit` returns it is dead-lettered with the reason
    /// instead. A message that keeps crashing its worker is thus dead-lettered after
    /// `delivery_limit` returns, as on a quorum queue. The republish happens only for
    /// messages that came back (rare); a crash between the copy's confirm and the ack leaves
    /// both, which idempotent consumers absorb. `Err`: the copy could not be published (the
    /// delivery was handed back uncounted, if its channel still works) or the ack was lost.
    pub async fn admit(
        self,
        publisher: &crate::Publisher,
        worker: &str,
    ) -> Result<Admission, MqError> {
        let Some(counting) = self.counting.filter(|_| self.redelivered) else {
            return Ok(Admission::Process(self));
        };
        let returns = self.delivery_count.saturating_add(1);
        if returns > counting.limit {
            let reason = format!(
                "delivery limit: came back {returns} times without being settled (limit {})",
                counting.limit
            );
            warn!(queue = %self.queue, returns, "message over the delivery limit");
            let how = self
                .dead_letter_with_reason(publisher, worker, &reason)
                .await?;
            return Ok(Admission::DeadLettered(how));
        }
        let mut headers = self.headers.clone().unwrap_or_default();
        headers.insert(
            RETURNS_HEADER.into(),
            AMQPValue::LongLongInt(i64::from(returns)),
        );
        let mut props = crate::publisher::properties(self.durability).with_headers(headers);
        if let Some(ct) = &self.content_type {
            props = props.with_content_type(ct.clone());
        }
        debug!(queue = %self.queue, returns, "returned message counted and put back");
        if let Err(e) = publisher
            .publish_props(counting.queue, &self.data, props)
            .await
        {
            // Back where it was, still uncounted; it is counted when it comes round again.
            if let Err(nack) = self.retry_later().await {
                debug!(error = %nack, "could not return an uncounted delivery");
            }
            return Err(e);
        }
        self.ack().await?;
        Ok(Admission::Returned)
    }
}

/// Headers a dead-lettered copy carries (see [`Delivery::dead_letter_with_reason`]).
pub mod dead_headers {
    /// Why the worker gave up on the message (truncated to [`super::MAX_REASON_BYTES`]).
    pub const REASON: &str = "x-newspipe-reason";
    /// Which worker gave up (`crawler`, `parser`, `store`).
    pub const WORKER: &str = "x-newspipe-worker";
    /// The full name of the queue the message was taken from; `replay` returns it there.
    pub const QUEUE: &str = "x-newspipe-queue";
    /// When it was dead-lettered, Unix milliseconds (also in the `timestamp` property, seconds).
    pub const DEAD_AT_MS: &str = "x-newspipe-dead-at-ms";
    /// Failed deliveries before this one (`x-delivery-count` of the original).
    pub const DELIVERY_COUNT: &str = "x-newspipe-delivery-count";
}

/// A reason is cut to this many bytes: headers must fit one AMQP frame with the rest.
pub const MAX_REASON_BYTES: usize = 2048;

/// How [`Delivery::dead_letter_with_reason`] parked a message.
#[derive(Debug)]
pub enum DeadLettered {
    /// A copy with the reason headers is confirmed in `{prefix}.dead`; the original is acked.
    WithReason,
    /// Publishing the copy failed, so the original was rejected to the dead-letter exchange
    /// as before: it is in `{prefix}.dead` with RabbitMQ's `x-first-death-*` headers only.
    /// The error says why the reason could not travel (log it with the reason).
    Rejected(MqError),
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Delivery {
    /// Permanent failure, with the reason on the message: publishes a copy of `data` to
    /// `{prefix}.dead` carrying [`dead_headers`] (reason, worker, source queue, time), waits
    /// for the broker's confirm, THEN acks the original. `reject` cannot add headers, hence
    /// the copy. If the copy cannot be published, falls back to [`Delivery::dead_letter`]
    /// (plain reject) and says so with [`DeadLettered::Rejected`].
    ///
    /// Publishes `self.data`: a worker that took the body out must put it back first.
    /// `Err` means the original could not be settled (its channel is gone): the broker
    /// redelivers it, and a copy may already be in the dead queue (at-least-once).
    pub async fn dead_letter_with_reason(
        self,
        publisher: &crate::Publisher,
        worker: &str,
        reason: &str,
    ) -> Result<DeadLettered, MqError> {
        use lapin::types::LongString;
        let at = now_ms();
        let mut headers = FieldTable::default();
        headers.insert(
            dead_headers::REASON.into(),
            AMQPValue::LongString(LongString::from(truncate(reason, MAX_REASON_BYTES))),
        );
        headers.insert(
            dead_headers::WORKER.into(),
            AMQPValue::LongString(LongString::from(truncate(worker, 255))),
        );
        headers.insert(
            dead_headers::QUEUE.into(),
            AMQPValue::LongString(LongString::from(self.queue.as_str())),
        );
        headers.insert(dead_headers::DEAD_AT_MS.into(), AMQPValue::LongLongInt(at));
        headers.insert(
            dead_headers::DELIVERY_COUNT.into(),
            AMQPValue::LongLongInt(i64::from(self.delivery_count)),
        );
        // The dead queue is a quorum queue, which keeps every message anyway.
        let mut props = crate::publisher::properties(crate::Durability::Persistent)
            .with_headers(headers)
            .with_timestamp(u64::try_from(at / 1000).unwrap_or(0));
        if let Some(ct) = &self.content_type {
            props = props.with_content_type(ct.clone());
        }
        match publisher
            .publish_props(crate::Queue::Dead, &self.data, props)
            .await
        {
            Ok(()) => {
                self.ack().await?;
                Ok(DeadLettered::WithReason)
            }
            Err(e) => {
                warn!(queue = %self.queue, error = %e, reason, "dead-letter copy not published; rejecting without the reason");
                self.dead_letter().await?;
                Ok(DeadLettered::Rejected(e))
            }
        }
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

pub(crate) fn as_i64(v: &AMQPValue) -> Option<i64> {
    match v {
        AMQPValue::LongLongInt(n) => Some(*n),
        AMQPValue::LongInt(n) => Some((*n).into()),
        AMQPValue::LongUInt(n) => Some((*n).into()),
        AMQPValue::Timestamp(n) => i64::try_from(*n).ok(),
        _ => None,
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

pub(crate) fn header_string(h: &FieldTable, key: &str) -> Option<String> {
    match h.inner().get(key)? {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

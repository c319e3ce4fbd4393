//! The dead-letter queue as a tool sees it: list (peek), replay to the source queue, purge.
//! Backs `newspipe dead list|replay|purge`.

use lapin::options::{BasicAckOptions, BasicGetOptions};
use lapin::types::{AMQPValue, FieldTable};
use tracing::{debug, info};

use crate::broker::close_quietly;
use crate::consumer::{as_i64, dead_headers, header_string};
use crate::{Broker, MqError, Queue};

/// One message of `{prefix}.dead`, as [`Broker::dead_list`] shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadMessage {
    /// Why it died: the worker's reason (`x-newspipe-reason`), or else RabbitMQ's
    /// (`x-first-death-reason`: `rejected`, `delivery_limit`, …).
    pub reason: Option<String>,
    /// The worker that gave up on it (`x-newspipe-worker`), if it said.
    pub worker: Option<String>,
    /// The full name of the queue it came from (`x-newspipe-queue`, else
    /// `x-first-death-queue`).
    pub source_queue: Option<String>,
    /// When it was dead-lettered (Unix ms), if a worker recorded it.
    pub dead_at_ms: Option<i64>,
    /// Failed deliveries before it died, if a worker recorded it.
    pub delivery_count: Option<i64>,
    /// The message body.
    pub data: Vec<u8>,
}

impl DeadMessage {
    fn from_delivery(d: &lapin::message::Delivery) -> Self {
        let h = d.properties.headers().as_ref();
        let get = |key: &str| h.and_then(|h| header_string(h, key));
        let num = |key: &str| h.and_then(|h| h.inner().get(key)).and_then(as_i64);
        Self {
            reason: get(dead_headers::REASON).or_else(|| get("x-first-death-reason")),
            worker: get(dead_headers::WORKER),
            source_queue: get(dead_headers::QUEUE).or_else(|| get("x-first-death-queue")),
            dead_at_ms: num(dead_headers::DEAD_AT_MS),
            delivery_count: num(dead_headers::DELIVERY_COUNT),
            data: d.data.clone(),
        }
    }
}

/// What [`Broker::dead_replay`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplayReport {
    /// Published (confirmed) to their source queue and removed from the dead queue.
    pub replayed: u32,
    /// Left in the dead queue: no source queue recorded, or not a work queue of this prefix.
    pub skipped: u32,
}

/// Header set on a replayed message: how many times it has been replayed from the dead queue.
pub const REPLAYED_HEADER: &str = "x-newspipe-replayed";

impl Broker {
    /// Up to `limit` messages of `{prefix}.dead`, oldest first, without removing any.
    ///
    /// Peeks with `basic.get` (no ack) on a channel of its own, then closes the channel, so
    /// the broker returns every message to the queue. While the list is being read these
    /// messages are unacked, not ready.
    pub async fn dead_list(&self, limit: usize) -> Result<Vec<DeadMessage>, MqError> {
        let ch = self.conn.create_channel().await?;
        let name = self.names.get(Queue::Dead).clone();
        let mut out = Vec::new();
        let result = async {
            while out.len() < limit {
                let Some(msg) = ch
                    .basic_get(name.clone(), BasicGetOptions { no_ack: false })
                    .await?
                else {
                    break;
                };
                out.push(DeadMessage::from_delivery(&msg.delivery));
            }
            Ok::<_, MqError>(())
        }
        .await;
        // Closing without ack hands every peeked message back.
        close_quietly(&ch).await;
        result?;
        Ok(out)
    }

    /// Moves dead messages back to the work queue they came from: each is published there
    /// (mandatory, persistent, confirmed, with [`REPLAYED_HEADER`] counting replays and the
    /// `x-newspipe-*` death headers dropped) and only then acked in the dead queue, so a
    /// failure at any point leaves it in one queue or (at worst) both, never neither.
    ///
    /// Handles at most `limit` messages, and never more than the dead queue held when it
    /// started, so messages that die again during the replay are not replayed twice.
    /// Messages with no known source queue stay in the dead queue ([`ReplayReport::skipped`]).
    pub async fn dead_replay(&self, limit: usize) -> Result<ReplayReport, MqError> {
        let depth = self.queue_depth(Queue::Dead).await?;
        let budget = limit.min(usize::try_from(depth.ready).unwrap_or(usize::MAX));
        let publisher = self.publisher().await?;
        let ch = self.conn.create_channel().await?;
        let name = self.names.get(Queue::Dead).clone();
        let mut report = ReplayReport::default();
        let result = async {
            for _ in 0..budget {
                let Some(msg) = ch
                    .basic_get(name.clone(), BasicGetOptions { no_ack: false })
                    .await?
                else {
                    break;
                };
                let d = msg.delivery;
                let info = DeadMessage::from_delivery(&d);
                let target = info.source_queue.as_deref().and_then(|src| {
                    Queue::WORK
                        .into_iter()
                        .find(|q| self.names.get(*q).as_str() == src)
                });
                let Some(target) = target else {
                    // Held unacked until the channel closes, so the next get moves on.
                    debug!(source = ?info.source_queue, "dead message has no work queue to go back to");
                    report.skipped += 1;
                    continue;
                };
                let mut headers = FieldTable::default();
                let mut replays = 0i64;
                if let Some(old) = d.properties.headers() {
                    for (k, v) in old.inner() {
                        let key = k.as_str();
                        if key == REPLAYED_HEADER {
                            replays = as_i64(v).unwrap_or(0);
                        } else if !key.starts_with("x-newspipe-")
                            && !key.starts_with("x-death")
                            && !key.starts_with("x-first-death")
                            && !key.starts_with("x-last-death")
                            && key != "x-delivery-count"
                        {
                            headers.insert(k.clone(), v.clone());
                        }
                    }
                }
                headers.insert(REPLAYED_HEADER.into(), AMQPValue::LongLongInt(replays + 1));
                let mut props =
                    crate::publisher::properties(crate::Durability::Persistent).with_headers(headers);
                if let Some(ct) = d.properties.content_type() {
                    props = props.with_content_type(ct.clone());
                }
                publisher.publish_props(target, &d.data, props).await?;
                if !d.acker.ack(BasicAckOptions::default()).await? {
                    return Err(MqError::AckLost);
                }
                report.replayed += 1;
            }
            Ok::<_, MqError>(())
        }
        .await;
        close_quietly(&ch).await;
        publisher.close().await;
        result?;
        info!(
            replayed = report.replayed,
            skipped = report.skipped,
            queue = name.as_str(),
            "dead-letter queue replayed"
        );
        Ok(report)
    }

    /// Deletes every ready message of `{prefix}.dead`; returns how many.
    pub async fn dead_purge(&self) -> Result<u32, MqError> {
        self.purge(Queue::Dead).await
    }
}

//! The connection to RabbitMQ: connecting with backoff, topology, and the handles made from it.

use std::sync::Arc;
use std::time::Duration;

use lapin::options::{
    BasicConsumeOptions, BasicGetOptions, BasicQosOptions, ConfirmSelectOptions,
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions, QueuePurgeOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::config::{dlx_name, redact_url, short_string};
use crate::consumer::Counting;
use crate::{Consumer, Delivery, MqConfig, MqError, MqOptions, Publisher, Queue, QueueType};

/// One TCP attempt may not hang longer than this (a black-holed host would otherwise stall
/// the backoff loop for the OS's TCP timeout).
const CONNECT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const BACKOFF_MIN: Duration = Duration::from_millis(200);
/// The longest wait between two connection attempts, jitter included. Short, so that a broker
/// back from an outage is found within a few seconds (a 15 s outage once cost 9.5 s more with a
/// 10 s cap); an attempt is one TCP connect, cheap even every few seconds.
pub(crate) const BACKOFF_MAX: Duration = Duration::from_secs(3);

/// Queue names resolved once, as lapin wants them.
#[derive(Debug)]
pub(crate) struct QueueNames {
    names: [ShortString; 4],
    dlx: ShortString,
    marker: ShortString,
}

impl QueueNames {
    fn new(prefix: &str) -> Result<Self, MqError> {
        Ok(Self {
            names: [
                short_string(&Queue::Crawl.name(prefix))?,
                short_string(&Queue::Pages.name(prefix))?,
                short_string(&Queue::Store.name(prefix))?,
                short_string(&Queue::Dead.name(prefix))?,
            ],
            dlx: short_string(&dlx_name(prefix))?,
            marker: short_string(&format!("{prefix}.{MARKER_QUEUE}"))?,
        })
    }

    pub(crate) fn get(&self, queue: Queue) -> &ShortString {
        let i = match queue {
            Queue::Crawl => 0,
            Queue::Pages => 1,
            Queue::Store => 2,
            Queue::Dead => 3,
        };
        &self.names[i]
    }
}

/// Suffix of the queue holding the restart marker (see [`Broker::restart_marker_present`]).
const MARKER_QUEUE: &str = "restart-marker";

/// Ready/consumer counts of a queue, from a passive declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueDepth {
    /// Messages ready for delivery (not counting unacked ones held by consumers).
    pub ready: u32,
    /// Consumers attached.
    pub consumers: u32,
}

/// A connection to the broker. Cheap to clone (shared connection).
///
/// lapin's built-in auto-recovery is deliberately not enabled: after any error with
/// `is_connection_lost()`, drop this and everything made from it and call
/// [`Broker::connect`] again (it retries until the broker is back). One recovery path is
/// easier to reason about than two, and lapin's recovery is young.
#[derive(Clone)]
pub struct Broker {
    pub(crate) conn: Arc<Connection>,
    cfg: Arc<MqConfig>,
    opts: Arc<MqOptions>,
    pub(crate) names: Arc<QueueNames>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("url", &redact_url(&self.cfg.url))
            .field("prefix", &self.cfg.prefix)
            .field("connected", &self.is_connected())
            .finish()
    }
}

impl Broker {
    /// Connects, retrying with exponential backoff and jitter ([`crate::Backoff`]: 200 ms
    /// doubling, every wait ≤ 3 s with the jitter included) until it
    /// succeeds or `cancel` fires ([`MqError::Cancelled`]). Only an invalid config
    /// ([`MqError::Config`]) returns at once; every other failure (refused, auth, DNS) is
    /// logged and retried, because at deployment start the broker is often not up yet.
    pub async fn connect(cfg: &MqConfig, cancel: &CancellationToken) -> Result<Self, MqError> {
        Self::connect_with(cfg, &MqOptions::default(), cancel).await
    }

    /// [`Broker::connect`] with non-default [`MqOptions`].
    pub async fn connect_with(
        cfg: &MqConfig,
        opts: &MqOptions,
        cancel: &CancellationToken,
    ) -> Result<Self, MqError> {
        cfg.validate()?;
        opts.validate()?;
        let names = Arc::new(QueueNames::new(&cfg.prefix)?);
        let url = redact_url(&cfg.url);
        let props = || {
            ConnectionProperties::default()
                .with_connection_name(LongString::from(opts.connection_name.as_str()))
        };
        let attempt = || async {
            match tokio::time::timeout(
                CONNECT_ATTEMPT_TIMEOUT,
                Connection::connect(&cfg.url, props()),
            )
            .await
            {
                Ok(res) => res.map_err(MqError::from),
                Err(_) => Err(MqError::ConnectionLost(lapin::Error::from(
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"),
                ))),
            }
        };
        let mut backoff = crate::Backoff::default();
        let conn = loop {
            let res = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(MqError::Cancelled),
                res = attempt() => res,
            };
            let e = match res {
                Ok(conn) => break conn,
                Err(e @ MqError::Config(_)) => return Err(e),
                Err(e) => e,
            };
            let wait = backoff.next_delay();
            warn!(
                %url, error = %e, wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "cannot reach RabbitMQ, retrying"
            );
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(MqError::Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
        };
        info!(%url, prefix = %cfg.prefix, "connected to RabbitMQ");
        Ok(Self {
            conn: Arc::new(conn),
            cfg: Arc::new(cfg.clone()),
            opts: Arc::new(opts.clone()),
            names,
        })
    }

    /// The config this broker was built from.
    pub fn config(&self) -> &MqConfig {
        &self.cfg
    }

    /// The full name of `queue`.
    pub fn queue_name(&self, queue: Queue) -> &str {
        self.names.get(queue).as_str()
    }

    /// True while the connection is open.
    pub fn is_connected(&self) -> bool {
        self.conn.status().connected()
    }

    /// Declares the topology; idempotent, so every worker calls it at start:
    /// direct exchange `{prefix}.dlx` → quorum queue `{prefix}.dead` (routing key
    /// `{prefix}.dead`), and durable work queues `{prefix}.{crawl,pages,store}` of the
    /// configured [`crate::QueueType`], dead-lettering to `{prefix}.dlx`.
    ///
    /// Quorum work queues carry `x-delivery-limit` and use at-least-once dead-lettering
    /// (`x-dead-letter-strategy`, which RabbitMQ requires with `x-overflow = reject-publish`),
    /// so a message is removed from its queue only once the dead queue has confirmed it.
    /// Classic queues have neither: the limit is counted by the consumer
    /// ([`crate::Delivery::admit`]) and the dead copy is published with a confirm by the
    /// worker ([`crate::Delivery::dead_letter_with_reason`]); the broker's own dead-lettering
    /// (a plain reject) is only the fallback. Either way nothing is dropped silently.
    ///
    /// [`MqError::TopologyMismatch`] if a queue exists with other arguments (e.g. of the
    /// other queue type: delete the old queues once their messages are drained).
    pub async fn declare_topology(&self) -> Result<(), MqError> {
        let ch = self.conn.create_channel().await?;
        let dead = self.names.get(Queue::Dead);
        ch.exchange_declare(
            self.names.dlx.clone(),
            ExchangeKind::Direct,
            ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
        let mut dead_args = FieldTable::default();
        dead_args.insert("x-queue-type".into(), long_string("quorum"));
        ch.queue_declare(dead.clone(), durable(), dead_args).await?;
        ch.queue_bind(
            dead.clone(),
            self.names.dlx.clone(),
            dead.clone(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
        for queue in Queue::WORK {
            let mut args = FieldTable::default();
            args.insert(
                "x-queue-type".into(),
                long_string(self.cfg.queue_type.as_str()),
            );
            args.insert(
                "x-dead-letter-exchange".into(),
                long_string(self.names.dlx.as_str()),
            );
            args.insert(
                "x-dead-letter-routing-key".into(),
                long_string(dead.as_str()),
            );
            match self.cfg.queue_type {
                QueueType::Quorum => {
                    args.insert(
                        "x-delivery-limit".into(),
                        AMQPValue::LongLongInt(i64::from(self.cfg.delivery_limit)),
                    );
                    args.insert(
                        "x-dead-letter-strategy".into(),
                        long_string("at-least-once"),
                    );
                    args.insert("x-overflow".into(), long_string("reject-publish"));
                }
                QueueType::Classic => {
                    // Version 2 storage (RabbitMQ ≥ 3.10): cheaper per message than v1's
                    // queue index, and the default from 3.12 on.
                    args.insert("x-queue-version".into(), AMQPValue::LongLongInt(2));
                }
            }
            ch.queue_declare(self.names.get(queue).clone(), durable(), args)
                .await?;
        }
        let mut marker_args = FieldTable::default();
        marker_args.insert("x-queue-type".into(), long_string("classic"));
        marker_args.insert("x-max-length".into(), AMQPValue::LongLongInt(1));
        ch.queue_declare(self.names.marker.clone(), durable(), marker_args)
            .await?;
        close_quietly(&ch).await;
        debug!(prefix = %self.cfg.prefix, queue_type = %self.cfg.queue_type, "topology declared");
        Ok(())
    }

    /// Whether the restart marker is still there. The marker is one transient message in the
    /// durable classic queue `{prefix}.restart-marker` (declared by
    /// [`Broker::declare_topology`]): a broker restart keeps the queue but drops the message,
    /// together with every other [`crate::Durability::Transient`] message. `false` therefore
    /// means "transient work may have been lost since the marker was placed (or it never
    /// was)": redo what was in flight, then [`Broker::place_restart_marker`].
    pub async fn restart_marker_present(&self) -> Result<bool, MqError> {
        Ok(self.declare_passive(&self.names.marker).await?.ready > 0)
    }

    /// Puts the restart marker in place (confirmed). Two callers racing leave one marker (the
    /// queue holds at most one message).
    pub async fn place_restart_marker(&self) -> Result<(), MqError> {
        let ch = self.conn.create_channel().await?;
        ch.confirm_select(ConfirmSelectOptions::default()).await?;
        let confirm = ch
            .basic_publish(
                ShortString::from(""),
                self.names.marker.clone(),
                crate::publisher::publish_options(),
                b"",
                crate::publisher::properties(crate::Durability::Transient),
            )
            .await?
            .await?;
        close_quietly(&ch).await;
        crate::publisher::check(confirm, self.names.marker.as_str())
    }

    /// A publisher with its own confirm-mode channels (see [`Publisher`]).
    pub async fn publisher(&self) -> Result<Publisher, MqError> {
        Publisher::new(
            self.conn.clone(),
            self.names.clone(),
            self.opts.publish_channels,
            self.opts.confirm_timeout,
        )
        .await
    }

    /// Starts consuming `queue` on a new channel with `basic.qos(prefetch)` and manual
    /// acks. `tag` names the consumer (empty: the broker picks one).
    /// [`MqError::NotFound`] if the queue does not exist.
    pub async fn consumer(&self, queue: Queue, tag: &str) -> Result<Consumer, MqError> {
        let tag = short_string(tag)?;
        let ch = self.conn.create_channel().await?;
        // Per-consumer (global=false) prefetch; quorum queues do not support global QoS.
        ch.basic_qos(self.cfg.prefetch, BasicQosOptions { global: false })
            .await?;
        let name = self.names.get(queue);
        let inner = ch
            .basic_consume(
                name.clone(),
                tag,
                BasicConsumeOptions::default(), // no_ack = false: manual acks
                FieldTable::default(),
            )
            .await?;
        debug!(
            queue = name.as_str(),
            tag = inner.tag().as_str(),
            "consumer started"
        );
        Ok(Consumer::new(
            ch,
            inner,
            name.to_string(),
            self.counting(queue),
        ))
    }

    /// Whether deliveries from `queue` count their own returns ([`Delivery::admit`]).
    fn counting(&self, queue: Queue) -> Option<Counting> {
        (self.cfg.queue_type == QueueType::Classic && Queue::WORK.contains(&queue)).then_some(
            Counting {
                queue,
                limit: self.cfg.delivery_limit,
            },
        )
    }

    /// Takes one message from `queue` (`basic.get`, manual ack), or `None` if it is empty.
    /// Meant for tests and tools (e.g. inspecting `{prefix}.dead`); workers use
    /// [`Broker::consumer`]. The returned delivery keeps its own channel open until acked
    /// or dropped (dropping it requeues the message).
    pub async fn get(&self, queue: Queue) -> Result<Option<Delivery>, MqError> {
        let ch = self.conn.create_channel().await?;
        let name = self.names.get(queue);
        let msg = ch
            .basic_get(name.clone(), BasicGetOptions { no_ack: false })
            .await?;
        Ok(msg.map(|m| {
            Delivery::from_lapin(
                m.delivery,
                ch.clone(),
                name.to_string(),
                self.counting(queue),
            )
        }))
    }

    /// Ready and consumer counts of `queue` (passive declare; [`MqError::NotFound`] if the
    /// queue does not exist).
    pub async fn queue_depth(&self, queue: Queue) -> Result<QueueDepth, MqError> {
        self.declare_passive(self.names.get(queue)).await
    }

    /// A passive declare of `name`: its counts, or [`MqError::NotFound`].
    async fn declare_passive(&self, name: &ShortString) -> Result<QueueDepth, MqError> {
        // A failed passive declare closes its channel, so each call gets a fresh one.
        let ch = self.conn.create_channel().await?;
        let q = ch
            .queue_declare(
                name.clone(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        close_quietly(&ch).await;
        Ok(QueueDepth {
            ready: q.message_count(),
            consumers: q.consumer_count(),
        })
    }

    /// Removes every ready message from `queue`; returns how many. For tests and tools.
    pub async fn purge(&self, queue: Queue) -> Result<u32, MqError> {
        let ch = self.conn.create_channel().await?;
        let n = ch
            .queue_purge(self.names.get(queue).clone(), QueuePurgeOptions::default())
            .await?;
        close_quietly(&ch).await;
        Ok(n)
    }

    /// Deletes one queue (missing is fine); returns how many messages it held. For tests
    /// and tools: consumers on it are cancelled and publishes to it become unroutable.
    pub async fn delete_queue(&self, queue: Queue) -> Result<u32, MqError> {
        let ch = self.conn.create_channel().await?;
        let n = ch
            .queue_delete(self.names.get(queue).clone(), QueueDeleteOptions::default())
            .await?;
        close_quietly(&ch).await;
        Ok(n)
    }

    /// Deletes every queue and the exchange of this prefix (missing ones are fine).
    /// For tests; consumers on these queues get cancelled by the broker.
    pub async fn delete_topology(&self) -> Result<(), MqError> {
        let ch = self.conn.create_channel().await?;
        for queue in Queue::ALL {
            ch.queue_delete(self.names.get(queue).clone(), QueueDeleteOptions::default())
                .await?;
        }
        ch.queue_delete(self.names.marker.clone(), QueueDeleteOptions::default())
            .await?;
        ch.exchange_delete(self.names.dlx.clone(), ExchangeDeleteOptions::default())
            .await?;
        close_quietly(&ch).await;
        debug!(prefix = %self.cfg.prefix, "topology deleted");
        Ok(())
    }

    /// Closes the connection (and so every channel made from it). Ack in-flight deliveries
    /// first: unacked ones are requeued by the broker. Never fails: a connection that
    /// cannot be closed cleanly is already gone, which is the same outcome.
    pub async fn close(&self) {
        if !self.is_connected() {
            return;
        }
        if let Err(e) = self.conn.close(200, ShortString::from("closing")).await {
            debug!(error = %e, "closing connection");
        }
    }
}

fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    }
}

fn long_string(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s))
}

/// Closes a short-lived admin channel; a failure here changes nothing for the caller.
pub(crate) async fn close_quietly(ch: &Channel) {
    if let Err(e) = ch.close(200, ShortString::from("done")).await {
        debug!(error = %e, "closing admin channel");
    }
}

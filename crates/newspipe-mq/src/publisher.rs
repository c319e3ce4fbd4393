//! Confirmed, mandatory publishing to the work queues, persistent unless the work says otherwise.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::ShortString;
use lapin::{BasicProperties, Channel, Confirmation, Connection, PublisherConfirm};
use tokio::sync::{Semaphore, SemaphorePermit};
use tracing::{debug, warn};

use crate::broker::QueueNames;
use crate::{MqError, Queue};

/// Publishes to the pipeline's queues and waits for the broker's confirm.
///
/// Cheap to clone; `Send + Sync`; share one per process. Every message goes to the default
/// exchange with routing key = queue name, `mandatory`, `content_type = application/json`, and
/// the publisher's [`Durability`] (persistent unless [`Publisher::with_durability`] says
/// otherwise).
///
/// Why a small pool of channels, each used by one publish (or one batch) at a time: lapin
/// attaches a `basic.return` to whichever confirm it resolves next, and resolves the confirms
/// of a multiple-ack in hash-map order, so on a channel shared by concurrent publishers an
/// unroutable message can be reported on another task's confirm and its own publish reported
/// as Ok. With one owner per channel at a time every return lands on its owner.
#[derive(Clone)]
pub struct Publisher {
    inner: Arc<Inner>,
    durability: Durability,
}

/// Whether the broker keeps a message across its own restart (AMQP `delivery_mode`).
///
/// Quorum queues keep every message whatever it says; on classic queues a transient message
/// lives in memory (paged out under pressure, never fsynced) and is dropped when the broker
/// restarts. Measured on the pipeline: transient work messages cost the broker ~40 % less CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Durability {
    /// `delivery_mode = 2`: written to the broker's disk before the confirm.
    #[default]
    Persistent,
    /// `delivery_mode = 1`: for work whose loss is noticed elsewhere (a lease that runs out,
    /// a hand-back after [`crate::Broker::restart_marker_present`] says the broker restarted).
    Transient,
}

impl Durability {
    fn delivery_mode(self) -> u8 {
        match self {
            Durability::Persistent => 2,
            Durability::Transient => 1,
        }
    }

    /// What a message's `delivery_mode` says (absent means transient, as in AMQP).
    pub(crate) fn of(delivery_mode: Option<u8>) -> Self {
        if delivery_mode == Some(2) {
            Durability::Persistent
        } else {
            Durability::Transient
        }
    }
}

struct Inner {
    conn: Arc<Connection>,
    names: Arc<QueueNames>,
    idle: Mutex<Vec<Channel>>,
    slots: Semaphore,
    confirm_timeout: Duration,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("idle_channels", &self.inner.lock_idle().len())
            .field("free_slots", &self.inner.slots.available_permits())
            .finish()
    }
}

/// A channel lent to one publish; goes back to the pool only if it ended cleanly.
struct Lease<'a> {
    inner: &'a Inner,
    channel: Option<Channel>,
    reusable: bool,
    _permit: SemaphorePermit<'a>,
}

impl Lease<'_> {
    fn channel(&self) -> Result<&Channel, MqError> {
        // Only None after drop; a missing channel would be a bug, not a panic.
        self.channel.as_ref().ok_or(MqError::Closed)
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(channel) = self.channel.take() {
            // A channel with unawaited confirms (timeout, error, cancelled future) must not be
            // reused: a late return could land on the next owner's confirm. Dropping the last
            // handle makes lapin close it.
            if self.reusable && channel.status().connected() && !self.inner.slots.is_closed() {
                self.inner.lock_idle().push(channel);
            }
        }
    }
}

impl Inner {
    fn lock_idle(&self) -> MutexGuard<'_, Vec<Channel>> {
        // The Vec stays consistent even if a holder panicked.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn open_channel(&self) -> Result<Channel, MqError> {
        let channel = self.conn.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        debug!(channel = channel.id(), "opened publisher channel");
        Ok(channel)
    }

    async fn lease<'a>(&'a self, permit: SemaphorePermit<'a>) -> Result<Lease<'a>, MqError> {
        let idle = loop {
            let candidate = self.lock_idle().pop();
            match candidate {
                Some(ch) if ch.status().connected() => break Some(ch),
                Some(_) => continue,
                None => break None,
            }
        };
        let channel = match idle {
            Some(ch) => ch,
            None => self.open_channel().await?,
        };
        Ok(Lease {
            inner: self,
            channel: Some(channel),
            reusable: false,
            _permit: permit,
        })
    }
}

pub(crate) fn publish_options() -> BasicPublishOptions {
    BasicPublishOptions {
        // Unroutable messages come back (basic.return) instead of vanishing.
        mandatory: true,
        immediate: false,
    }
}

pub(crate) fn properties(durability: Durability) -> BasicProperties {
    BasicProperties::default()
        .with_delivery_mode(durability.delivery_mode())
        .with_content_type(ShortString::from("application/json"))
}

/// Turns a confirm into success or the failure the worker must act on.
pub(crate) fn check(confirmation: Confirmation, queue: &str) -> Result<(), MqError> {
    match confirmation {
        Confirmation::Ack(None) => Ok(()),
        // lapin reports an unroutable mandatory message as an *Ack* carrying the return.
        Confirmation::Ack(Some(ret)) | Confirmation::Nack(Some(ret)) => {
            warn!(queue, reply_code = ret.reply_code, reply_text = %ret.reply_text, "message returned unroutable");
            Err(MqError::Unroutable {
                queue: queue.to_owned(),
                reply_code: ret.reply_code,
                reply_text: ret.reply_text.to_string(),
            })
        }
        Confirmation::Nack(None) => {
            warn!(queue, "broker nacked a message");
            Err(MqError::Nacked {
                queue: queue.to_owned(),
            })
        }
        Confirmation::NotRequested => {
            // Cannot happen: every pooled channel is in confirm mode. Not knowing whether the
            // broker has the message means "publish again".
            warn!(queue, "publisher channel was not in confirm mode");
            Err(MqError::Nacked {
                queue: queue.to_owned(),
            })
        }
    }
}

impl Publisher {
    pub(crate) async fn new(
        conn: Arc<Connection>,
        names: Arc<QueueNames>,
        channels: usize,
        confirm_timeout: Duration,
    ) -> Result<Self, MqError> {
        let inner = Inner {
            conn,
            names,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(channels),
            confirm_timeout,
        };
        // Open one channel now so a broken connection shows up here, not at the first publish.
        let first = inner.open_channel().await?;
        inner.lock_idle().push(first);
        Ok(Self {
            inner: Arc::new(inner),
            durability: Durability::Persistent,
        })
    }

    /// This publisher (same channels) publishing with `durability`: a worker passes on the
    /// durability of the message it is working on, so work stays as durable as it came.
    pub fn with_durability(&self, durability: Durability) -> Publisher {
        Publisher {
            inner: self.inner.clone(),
            durability,
        }
    }

    /// Publishes one message and waits for the broker's confirm.
    ///
    /// `Ok(())` means the broker has the message in `queue` (for a quorum queue: on a
    /// majority of nodes). Errors: [`MqError::Unroutable`] (queue missing),
    /// [`MqError::Nacked`], [`MqError::ConfirmTimeout`], connection/channel errors,
    /// [`MqError::Closed`].
    pub async fn publish(&self, queue: Queue, payload: &[u8]) -> Result<(), MqError> {
        self.publish_all(queue, std::iter::once(payload)).await
    }

    /// Publishes every payload (pipelined on one channel), then awaits every confirm.
    ///
    /// `Ok(())` only if all were confirmed and routed. On `Err` some messages may be
    /// enqueued and others not: publish the whole batch again (consumers are idempotent).
    /// All confirms are awaited even after a failure, so none is left dangling.
    /// [`crate::MqOptions::confirm_timeout`] bounds the whole call once a channel slot is
    /// free (waiting for a slot is backpressure and is not timed).
    pub async fn publish_all<I>(&self, queue: Queue, payloads: I) -> Result<(), MqError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        self.publish_with(queue, payloads, properties(self.durability))
            .await
    }

    /// [`Publisher::publish`] with our own properties (headers of a dead-lettered copy).
    pub(crate) async fn publish_props(
        &self,
        queue: Queue,
        payload: &[u8],
        props: BasicProperties,
    ) -> Result<(), MqError> {
        self.publish_with(queue, std::iter::once(payload), props)
            .await
    }

    async fn publish_with<I>(
        &self,
        queue: Queue,
        payloads: I,
        props: BasicProperties,
    ) -> Result<(), MqError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let permit = self
            .inner
            .slots
            .acquire()
            .await
            .map_err(|_| MqError::Closed)?;
        let name = self.inner.names.get(queue);
        // Dropping the batch future on timeout drops its lease unclean, so the channel with
        // the unanswered confirms is closed rather than reused.
        tokio::time::timeout(
            self.inner.confirm_timeout,
            self.publish_batch(permit, name, payloads, props),
        )
        .await
        .unwrap_or_else(|_| Err(self.timeout_error(name)))
    }

    async fn publish_batch<'a, I>(
        &'a self,
        permit: SemaphorePermit<'a>,
        name: &ShortString,
        payloads: I,
        props: BasicProperties,
    ) -> Result<(), MqError>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut lease = self.inner.lease(permit).await?;
        let channel = lease.channel()?;
        let mut confirms: Vec<PublisherConfirm> = Vec::new();
        for payload in payloads {
            let confirm = channel
                .basic_publish(
                    ShortString::from(""),
                    name.clone(),
                    publish_options(),
                    payload.as_ref(),
                    props.clone(),
                )
                .await
                .map_err(|e| crate::error::on_publish(MqError::from(e), name.as_str()))?;
            confirms.push(confirm);
        }
        let total = confirms.len();
        let mut first_error = None;
        let mut failed = 0usize;
        for confirm in confirms {
            let outcome = match confirm.await {
                Ok(confirmation) => check(confirmation, name.as_str()),
                Err(e) => Err(crate::error::on_publish(MqError::from(e), name.as_str())),
            };
            if let Err(e) = outcome {
                failed += 1;
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            None => {
                lease.reusable = true;
                Ok(())
            }
            Some(e) => {
                warn!(queue = name.as_str(), failed, total, error = %e, "publish failed");
                // A channel error poisons the channel; a return or nack leaves it usable.
                lease.reusable = matches!(e, MqError::Unroutable { .. } | MqError::Nacked { .. });
                Err(e)
            }
        }
    }

    /// Stops new publishes (they get [`MqError::Closed`]) and closes idle channels.
    /// Publishes already under way finish normally.
    pub async fn close(&self) {
        self.inner.slots.close();
        let idle: Vec<Channel> = std::mem::take(&mut *self.inner.lock_idle());
        for channel in idle {
            if let Err(e) = channel
                .close(200, ShortString::from("publisher closed"))
                .await
            {
                debug!(error = %e, "closing publisher channel");
            }
        }
    }

    fn timeout_error(&self, name: &ShortString) -> MqError {
        warn!(queue = name.as_str(), timeout = ?self.inner.confirm_timeout, "publisher confirm timed out");
        MqError::ConfirmTimeout {
            queue: name.to_string(),
            timeout_ms: u64::try_from(self.inner.confirm_timeout.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

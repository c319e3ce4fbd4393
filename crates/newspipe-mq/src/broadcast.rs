//! Hints every replica must hear at once: a fanout exchange, one private queue per listener.
//!
//! Not the work path. A broadcast is transient and fire-and-forget: a replica that is not
//! listening (restarting, reconnecting) misses it, so whatever a broadcast says must also reach
//! the durable path (the store's frontier) on its own. What it buys is speed: every replica hears
//! it within milliseconds instead of after the next store batch commits and the next dispatch.

use futures_util::StreamExt;
use lapin::options::{
    BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions,
    QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{FieldTable, ShortString};
use lapin::{BasicProperties, Channel, ExchangeKind};

use crate::config::short_string;
use crate::{Broker, MqError};

/// Sends to every listener of one topic. Cheap to clone.
#[derive(Clone, Debug)]
pub struct BroadcastSender {
    ch: Channel,
    exchange: ShortString,
}

/// Receives every message sent on one topic after it was created (its own exclusive queue).
pub struct BroadcastListener {
    _ch: Channel,
    inner: lapin::Consumer,
}

impl std::fmt::Debug for BroadcastListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BroadcastListener")
            .field("tag", &self.inner.tag().as_str())
            .finish()
    }
}

/// The exchange of a topic: `{prefix}.{topic}`.
pub fn broadcast_exchange(prefix: &str, topic: &str) -> String {
    format!("{prefix}.{topic}")
}

impl Broker {
    /// Joins `topic`: declares the fanout exchange `{prefix}.{topic}` (auto-deleted once its
    /// last listener is gone) and a server-named, exclusive, auto-delete queue bound to it.
    /// The listener hears its own sends too.
    pub async fn broadcast(
        &self,
        topic: &str,
    ) -> Result<(BroadcastSender, BroadcastListener), MqError> {
        let exchange = short_string(&broadcast_exchange(&self.config().prefix, topic))?;
        let ch = self.conn.create_channel().await?;
        ch.exchange_declare(
            exchange.clone(),
            ExchangeKind::Fanout,
            ExchangeDeclareOptions {
                auto_delete: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
        let queue = ch
            .queue_declare(
                ShortString::from(""),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        ch.queue_bind(
            queue.name().clone(),
            exchange.clone(),
            ShortString::from(""),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
        // A hint is worth nothing once read, so the broker may forget it on delivery.
        let inner = ch
            .basic_consume(
                queue.name().clone(),
                ShortString::from(""),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        let send_ch = self.conn.create_channel().await?;
        send_ch
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok((
            BroadcastSender {
                ch: send_ch,
                exchange,
            },
            BroadcastListener { _ch: ch, inner },
        ))
    }
}

impl BroadcastSender {
    /// Sends `payload` to every listener; returns once the broker has it (confirm).
    pub async fn send(&self, payload: &[u8]) -> Result<(), MqError> {
        let confirm = self
            .ch
            .basic_publish(
                self.exchange.clone(),
                ShortString::from(""),
                BasicPublishOptions::default(),
                payload,
                BasicProperties::default().with_content_type(ShortString::from("application/json")),
            )
            .await?;
        match confirm.await? {
            lapin::Confirmation::Nack(_) => Err(MqError::Nacked {
                queue: self.exchange.to_string(),
            }),
            _ => Ok(()),
        }
    }
}

impl BroadcastListener {
    /// The next message's body; `None` when the channel or connection closed (join again).
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, MqError>> {
        match self.inner.next().await? {
            Ok(d) => Some(Ok(d.data)),
            Err(e) => Some(Err(MqError::from(e))),
        }
    }
}

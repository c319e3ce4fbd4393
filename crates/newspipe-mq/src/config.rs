//! Connection settings and the names of the queues every worker shares.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use lapin::types::ShortString;
use lapin::uri::AMQPUri;

use crate::MqError;

/// How to reach the broker and shape the topology.
///
/// `Debug` hides the password in `url`, so the config can be logged. Tuning knobs that
/// rarely change live in [`MqOptions`].
#[derive(Clone)]
pub struct MqConfig {
    /// AMQP URL, e.g. `amqp://guest:guest@127.0.0.1:5672/%2f` (the `AMQP_URL` convention).
    pub url: String,
    /// Prefix of every queue and exchange name; tests use a unique one each.
    pub prefix: String,
    /// Unacked deliveries a consumer may hold (`basic.qos`, per consumer). Must be ≥ 1.
    pub prefetch: u16,
    /// `x-delivery-limit` of the work queues: a message whose failed deliveries exceed it
    /// is dead-lettered to `{prefix}.dead`. Must be ≥ 1.
    pub delivery_limit: u32,
    /// The type of the work queues (see [`QueueType`]).
    pub queue_type: QueueType,
}

impl Default for MqConfig {
    fn default() -> Self {
        Self {
            url: "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned(),
            prefix: "newspipe".to_owned(),
            prefetch: 32,
            delivery_limit: 5,
            queue_type: QueueType::Classic,
        }
    }
}

/// What the work queues (`crawl`, `pages`, `store`) are made of. The dead queue is always a
/// quorum queue: it is written rarely and holds what an operator must see.
///
/// Both keep messages on disk (durable queues, persistent messages, publisher confirms), so a
/// broker restart loses nothing, and both bound poison by `delivery_limit`: a quorum queue
/// counts deliveries itself (`x-delivery-limit`); RabbitMQ's classic queues cannot, so the
/// consumer counts them ([`crate::Delivery::admit`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueType {
    /// Classic queues (version 2 storage): a message is written once to the node's message
    /// store; the choice for a single broker node, which replicates nothing anyway.
    #[default]
    Classic,
    /// Quorum queues (Raft log): replicated across a cluster, so they survive losing a node;
    /// every message goes through the log and then a segment file.
    Quorum,
}

impl QueueType {
    /// The `x-queue-type` argument.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueType::Classic => "classic",
            QueueType::Quorum => "quorum",
        }
    }
}

impl fmt::Display for QueueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QueueType {
    type Err = MqError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "classic" => Ok(QueueType::Classic),
            "quorum" => Ok(QueueType::Quorum),
            other => Err(MqError::Config(format!(
                "queue type must be \"classic\" or \"quorum\", not {other:?}"
            ))),
        }
    }
}

impl fmt::Debug for MqConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MqConfig")
            .field("url", &redact_url(&self.url))
            .field("prefix", &self.prefix)
            .field("prefetch", &self.prefetch)
            .field("delivery_limit", &self.delivery_limit)
            .field("queue_type", &self.queue_type)
            .finish()
    }
}

/// Tuning with sensible defaults; pass to [`crate::Broker::connect_with`].
#[derive(Clone, Debug)]
pub struct MqOptions {
    /// Channels a [`crate::Publisher`] may use at once; each carries one `publish` or one
    /// `publish_all` batch at a time (see the Publisher docs for why). Must be ≥ 1.
    /// Default 16 (measured here: ~1,700 confirmed 30 KB publishes/s with 8, ~2,800 with 32).
    pub publish_channels: usize,
    /// Time limit of one `publish` / `publish_all` call, from getting a channel to the last
    /// confirm; past it the call fails with `ConfirmTimeout` (e.g. broker blocked by an
    /// alarm). Default 30 s.
    pub confirm_timeout: Duration,
    /// Name shown by `rabbitmqctl list_connections client_properties`. Default "newspipe".
    pub connection_name: String,
}

impl Default for MqOptions {
    fn default() -> Self {
        Self {
            publish_channels: 16,
            confirm_timeout: Duration::from_secs(30),
            connection_name: "newspipe".to_owned(),
        }
    }
}

impl MqOptions {
    /// Checks the knobs that would otherwise fail later.
    pub fn validate(&self) -> Result<(), MqError> {
        if self.publish_channels == 0 {
            return Err(MqError::Config(
                "publish_channels must be at least 1".into(),
            ));
        }
        if self.confirm_timeout.is_zero() {
            return Err(MqError::Config("confirm_timeout must be positive".into()));
        }
        Ok(())
    }
}

impl MqConfig {
    /// Checks everything that would otherwise fail later, or panic inside lapin
    /// (lapin's `ShortString::from` panics on names over 255 bytes).
    pub fn validate(&self) -> Result<(), MqError> {
        parse_url(&self.url)?;
        if self.prefix.is_empty() {
            return Err(MqError::Config("prefix must not be empty".into()));
        }
        for queue in Queue::ALL {
            short_string(&queue.name(&self.prefix))?;
        }
        short_string(&dlx_name(&self.prefix))?;
        if self.prefetch == 0 {
            // basic.qos 0 means "unlimited", which defeats backpressure.
            return Err(MqError::Config("prefetch must be at least 1".into()));
        }
        if self.delivery_limit == 0 {
            return Err(MqError::Config("delivery_limit must be at least 1".into()));
        }
        Ok(())
    }

    /// The full name of `queue` under this config's prefix.
    pub fn queue_name(&self, queue: Queue) -> String {
        queue.name(&self.prefix)
    }
}

/// The queues of the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    /// `{prefix}.crawl`: URLs due for fetching (crawler input).
    Crawl,
    /// `{prefix}.pages`: fetched pages (parser input).
    Pages,
    /// `{prefix}.store`: parsed pages (store input).
    Store,
    /// `{prefix}.dead`: messages dead-lettered from the three work queues.
    Dead,
}

impl Queue {
    /// The work queues (delivery limit, dead-lettered to [`Queue::Dead`]).
    pub const WORK: [Queue; 3] = [Queue::Crawl, Queue::Pages, Queue::Store];
    /// Every queue of the topology.
    pub const ALL: [Queue; 4] = [Queue::Crawl, Queue::Pages, Queue::Store, Queue::Dead];

    /// The suffix after `{prefix}.`.
    pub fn suffix(self) -> &'static str {
        match self {
            Queue::Crawl => "crawl",
            Queue::Pages => "pages",
            Queue::Store => "store",
            Queue::Dead => "dead",
        }
    }

    /// The full queue name: `{prefix}.{suffix}`.
    pub fn name(self, prefix: &str) -> String {
        format!("{prefix}.{}", self.suffix())
    }
}

impl fmt::Display for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.suffix())
    }
}

/// The dead-letter exchange of a prefix.
pub(crate) fn dlx_name(prefix: &str) -> String {
    format!("{prefix}.dlx")
}

/// A name as lapin wants it, as an error instead of lapin's panic when it is too long.
pub(crate) fn short_string(s: &str) -> Result<ShortString, MqError> {
    ShortString::try_new(s)
        .map_err(|e| MqError::Config(format!("AMQP name {s:?} is too long: {e}")))
}

pub(crate) fn parse_url(url: &str) -> Result<AMQPUri, MqError> {
    AMQPUri::from_str(url)
        .map_err(|e| MqError::Config(format!("invalid AMQP URL {}: {e}", redact_url(url))))
}

/// `amqp://user:secret@host/` → `amqp://user:***@host/`, so URLs can be logged.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password() {
        assert_eq!(
            redact_url("amqp://guest:secret@127.0.0.1:5672/%2f"),
            "amqp://guest:***@127.0.0.1:5672/%2f"
        );
        assert_eq!(redact_url("amqp://127.0.0.1:5672"), "amqp://127.0.0.1:5672");
        let cfg = MqConfig {
            url: "amqp://u:p4ss@h/%2f".into(),
            ..MqConfig::default()
        };
        assert!(!format!("{cfg:?}").contains("p4ss"));
    }

    #[test]
    fn validate_rejects_bad_config() {
        assert!(MqConfig::default().validate().is_ok());
        let long = MqConfig {
            prefix: "x".repeat(300),
            ..MqConfig::default()
        };
        assert!(matches!(long.validate(), Err(MqError::Config(_))));
        let bad_url = MqConfig {
            url: "http://nope".into(),
            ..MqConfig::default()
        };
        assert!(matches!(bad_url.validate(), Err(MqError::Config(_))));
        let zero = MqConfig {
            prefetch: 0,
            ..MqConfig::default()
        };
        assert!(matches!(zero.validate(), Err(MqError::Config(_))));
        assert!(MqOptions::default().validate().is_ok());
        let no_channels = MqOptions {
            publish_channels: 0,
            ..MqOptions::default()
        };
        assert!(matches!(no_channels.validate(), Err(MqError::Config(_))));
    }

    #[test]
    fn queue_names() {
        assert_eq!(Queue::Crawl.name("np"), "np.crawl");
        assert_eq!(Queue::Dead.name("np"), "np.dead");
        assert_eq!(dlx_name("np"), "np.dlx");
    }
}

//! Errors of the mq crate, each mapped to the one decision a worker takes about it.

use lapin::ErrorKind;
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};

/// What a worker should do when an [`MqError`] reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MqAction {
    /// The connection, channel or consumer is gone (or the topology is missing): drop every
    /// handle of this [`crate::Broker`], leave the input message unacked (the broker
    /// redelivers it), and go round the outer loop: `Broker::connect` + `declare_topology`.
    Reconnect,
    /// This one publish was refused or its outcome is unknown: do not ack the input; call
    /// `retry_later` on it (or back off and publish again). The connection is still usable.
    Retry,
    /// Retrying cannot help (bad config, topology declared with other arguments, access
    /// refused): log and exit non-zero so the operator sees it.
    Fatal,
    /// Shutdown was requested while we waited: stop quietly.
    Shutdown,
}

/// Every failure of the mq crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MqError {
    /// The management HTTP API did not answer usefully (plugin off, wrong credentials).
    /// Only `newspipe status` uses it; nothing in the pipeline depends on it.
    #[error("RabbitMQ management API: {0}")]
    Management(String),

    /// The configuration cannot work (unparsable URL, name longer than 255 bytes, prefetch 0).
    #[error("invalid mq configuration: {0}")]
    Config(String),

    /// The `CancellationToken` fired while connecting.
    #[error("cancelled while connecting to the broker")]
    Cancelled,

    /// This handle was closed by our own `close()`; nothing more can go through it.
    #[error("the mq handle was closed")]
    Closed,

    /// The TCP connection or the AMQP connection is gone (IO error, missed heartbeats,
    /// connection-level close by the broker, e.g. a broker restart).
    #[error("connection to the broker lost: {0}")]
    ConnectionLost(#[source] lapin::Error),

    /// The channel this operation used was closed (by us, or by the broker after a
    /// channel-level error). Its in-flight deliveries will be redelivered by the broker.
    #[error("AMQP channel closed: {0}")]
    ChannelClosed(#[source] lapin::Error),

    /// The broker cancelled our consumer (its queue was deleted, or a quorum leader moved
    /// and the queue went away). No more deliveries will come on this consumer.
    #[error("broker cancelled the consumer on queue {queue}")]
    ConsumerCancelled {
        /// Full queue name.
        queue: String,
    },

    /// A consumer stream ended. Not produced by this crate's [`crate::Consumer`] (it ends
    /// with `None` only after our own cancel, and reports a broker-side end as
    /// [`MqError::ConsumerCancelled`]); for callers that must turn an unexpected `None`
    /// into an error.
    #[error("consumer stream ended")]
    ConsumerClosed,

    /// lapin answered an ack/nack/reject with `Ok(false)`: the delivery's channel had
    /// already failed, so the broker never saw the acknowledgement and will redeliver.
    #[error("acknowledgement not sent: the delivery's channel is closed")]
    AckLost,

    /// A mandatory publish found no queue to route to (basic.return, e.g. 312 NO_ROUTE):
    /// the target queue does not exist. The message was NOT enqueued.
    #[error("message to {queue} was returned as unroutable: {reply_code} {reply_text}")]
    Unroutable {
        /// Full queue name (the routing key).
        queue: String,
        /// AMQP reply code from basic.return (312 NO_ROUTE in practice).
        reply_code: u16,
        /// AMQP reply text from basic.return.
        reply_text: String,
    },

    /// The broker negatively confirmed the publish (basic.nack): it could not take
    /// responsibility for the message. The message was NOT enqueued.
    #[error("broker refused (nacked) a message to {queue}")]
    Nacked {
        /// Full queue name.
        queue: String,
    },

    /// No publisher confirm arrived in time (broker blocked by a resource alarm, or
    /// overloaded). The message may or may not be enqueued; publishing again is safe
    /// because consumers are idempotent.
    #[error("no publisher confirm for a message to {queue} within {timeout_ms} ms")]
    ConfirmTimeout {
        /// Full queue name.
        queue: String,
        /// The configured confirm timeout.
        timeout_ms: u64,
    },

    /// A queue or exchange does not exist (404 NOT_FOUND, e.g. a passive declare).
    #[error("queue or exchange not found: {0}")]
    NotFound(#[source] lapin::Error),

    /// A queue or exchange exists with different arguments (406 PRECONDITION_FAILED on
    /// declare): someone declared it differently; it must be deleted by an operator.
    #[error("topology exists with different arguments: {0}")]
    TopologyMismatch(#[source] lapin::Error),

    /// Any other broker or client error (e.g. 403 ACCESS_REFUSED, protocol bugs).
    #[error("AMQP error: {0}")]
    Amqp(#[source] lapin::Error),
}

impl MqError {
    /// The decision this error asks of a worker.
    pub fn action(&self) -> MqAction {
        match self {
            MqError::Config(_)
            | MqError::TopologyMismatch(_)
            | MqError::Amqp(_)
            | MqError::Management(_) => MqAction::Fatal,
            MqError::Cancelled | MqError::Closed => MqAction::Shutdown,
            MqError::Nacked { .. } | MqError::ConfirmTimeout { .. } => MqAction::Retry,
            // Unroutable and NotFound mean the topology is missing: the reconnect path
            // redeclares it, which is the fix.
            MqError::ConnectionLost(_)
            | MqError::ChannelClosed(_)
            | MqError::ConsumerCancelled { .. }
            | MqError::ConsumerClosed
            | MqError::AckLost
            | MqError::Unroutable { .. }
            | MqError::NotFound(_) => MqAction::Reconnect,
        }
    }

    /// True when the worker should rebuild its `Broker` (see [`MqAction::Reconnect`]).
    pub fn is_connection_lost(&self) -> bool {
        self.action() == MqAction::Reconnect
    }

    /// Sorts a lapin error into the variant that carries the right decision.
    pub(crate) fn from_lapin(err: lapin::Error) -> Self {
        match err.kind() {
            ErrorKind::IOError(_)
            | ErrorKind::RuntimeShutdownError(_)
            | ErrorKind::MissingHeartbeatError
            | ErrorKind::InvalidConnectionState(_)
            | ErrorKind::ParsingError(_)
            | ErrorKind::SerialisationError(_)
            | ErrorKind::ChannelsLimitReached => MqError::ConnectionLost(err),
            ErrorKind::InvalidChannel(_) | ErrorKind::InvalidChannelState(..) => {
                MqError::ChannelClosed(err)
            }
            ErrorKind::ProtocolError(amqp) => match amqp.kind() {
                AMQPErrorKind::Hard(_) => MqError::ConnectionLost(err),
                AMQPErrorKind::Soft(AMQPSoftError::NOTFOUND) => MqError::NotFound(err),
                AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED) => {
                    MqError::TopologyMismatch(err)
                }
                AMQPErrorKind::Soft(AMQPSoftError::ACCESSREFUSED) => MqError::Amqp(err),
                // Other soft errors close the channel; a fresh channel fixes them.
                AMQPErrorKind::Soft(_) => MqError::ChannelClosed(err),
            },
            _ => MqError::Amqp(err),
        }
    }
}

impl From<lapin::Error> for MqError {
    fn from(err: lapin::Error) -> Self {
        MqError::from_lapin(err)
    }
}

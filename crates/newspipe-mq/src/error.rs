//! Errors of the mq crate, each mapped to the one decision a worker takes about it.

use lapin::ErrorKind;
use lapin::protocol::{AMQPErrorKind, AMQPSoftError};

/// What a worker should do when an [`MqError`] reaches it: the one decision per error, so the
/// binary turns every mq failure into retry / reconnect / dead-letter / exit in one `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MqAction {
    /// The connection, channel or consumer is gone (or the topology is missing): drop every
    /// handle of this [`crate::Broker`], leave the input message unacked (the broker
    /// redelivers it), and go round the outer loop: `Broker::connect` + `declare_topology`.
    Reconnect,
    /// This one publish was refused or its outcome is unknown: do not ack the input; call
    /// `retry_later` on it (or back off and publish again). The connection is still usable.
    Retry,
    /// The message we tried to publish can never be taken (the broker refused it, e.g. larger
    /// than its `max_message_size`): dead-letter the input that produced it, with the error
    /// as the reason. Requeueing would fail the same way until the delivery limit.
    DeadLetter,
    /// Retrying cannot help (bad config, topology declared with other arguments, access
    /// refused): log and exit non-zero so the operator sees it.
    Fatal,
    /// Shutdown was requested while we waited: stop quietly.
    Shutdown,
}

/// Every failure of the mq crate. [`MqError::action`] gives the decision for each:
///
/// | variant | [`MqAction`] | why |
/// | --- | --- | --- |
/// | `ConnectionLost`, `ChannelClosed`, `ConsumerCancelled`, `ConsumerClosed`, `AckLost` | `Reconnect` | the handle is dead; the broker redelivers what was unacked |
/// | `Unroutable`, `NotFound` | `Reconnect` | the queue is missing: reconnecting redeclares the topology. Do **not** requeue the input (it would burn its delivery budget against a missing queue) |
/// | `Nacked`, `ConfirmTimeout` | `Retry` | this publish failed (queue full with `reject-publish`, broker blocked); the connection is fine: back off, then `retry_later` the input or publish again |
/// | `Refused` | `DeadLetter` | this message can never be published |
/// | `Config`, `TopologyMismatch`, `Amqp`, `Management` | `Fatal` | an operator must act; exit non-zero |
/// | `Cancelled`, `Closed` | `Shutdown` | we asked for it |
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

    /// The broker refused to take this message (406 PRECONDITION_FAILED on a publish, e.g.
    /// larger than `max_message_size`) and closed the channel. Publishing it again fails
    /// the same way: dead-letter the input.
    #[error("broker refused a message to {queue}: {source}")]
    Refused {
        /// Full queue name.
        queue: String,
        /// The channel close the broker sent.
        #[source]
        source: lapin::Error,
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
            MqError::Refused { .. } => MqAction::DeadLetter,
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

/// A publish-time error: a 406 on a publish to the default exchange cannot be a topology
/// mismatch (nothing is declared), so it is the message itself the broker refused.
pub(crate) fn on_publish(err: MqError, queue: &str) -> MqError {
    match err {
        MqError::TopologyMismatch(source) => MqError::Refused {
            queue: queue.to_owned(),
            source,
        },
        other => other,
    }
}

impl From<lapin::Error> for MqError {
    fn from(err: lapin::Error) -> Self {
        MqError::from_lapin(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lapin::protocol::{AMQPError, AMQPHardError};

    fn protocol(kind: AMQPErrorKind) -> lapin::Error {
        lapin::Error::from(ErrorKind::ProtocolError(AMQPError::new(
            kind,
            "test".into(),
        )))
    }

    #[test]
    fn every_error_has_its_documented_decision() {
        let io = || lapin::Error::from(std::io::Error::other("reset"));
        let cases: Vec<(MqError, MqAction)> = vec![
            (MqError::from(io()), MqAction::Reconnect),
            (
                MqError::from(protocol(AMQPErrorKind::Hard(
                    AMQPHardError::CONNECTIONFORCED,
                ))),
                MqAction::Reconnect,
            ),
            (
                MqError::from(protocol(AMQPErrorKind::Soft(AMQPSoftError::NOTFOUND))),
                MqAction::Reconnect,
            ),
            (
                MqError::from(protocol(AMQPErrorKind::Soft(AMQPSoftError::RESOURCELOCKED))),
                MqAction::Reconnect,
            ),
            (
                MqError::from(protocol(AMQPErrorKind::Soft(
                    AMQPSoftError::PRECONDITIONFAILED,
                ))),
                MqAction::Fatal,
            ),
            (
                MqError::from(protocol(AMQPErrorKind::Soft(AMQPSoftError::ACCESSREFUSED))),
                MqAction::Fatal,
            ),
            (
                on_publish(
                    MqError::from(protocol(AMQPErrorKind::Soft(
                        AMQPSoftError::PRECONDITIONFAILED,
                    ))),
                    "np.pages",
                ),
                MqAction::DeadLetter,
            ),
            (
                on_publish(MqError::from(io()), "np.pages"),
                MqAction::Reconnect,
            ),
            (
                MqError::Unroutable {
                    queue: "q".into(),
                    reply_code: 312,
                    reply_text: "NO_ROUTE".into(),
                },
                MqAction::Reconnect,
            ),
            (MqError::Nacked { queue: "q".into() }, MqAction::Retry),
            (
                MqError::ConfirmTimeout {
                    queue: "q".into(),
                    timeout_ms: 1,
                },
                MqAction::Retry,
            ),
            (MqError::AckLost, MqAction::Reconnect),
            (MqError::ConsumerClosed, MqAction::Reconnect),
            (
                MqError::ConsumerCancelled { queue: "q".into() },
                MqAction::Reconnect,
            ),
            (MqError::Config("x".into()), MqAction::Fatal),
            (MqError::Management("x".into()), MqAction::Fatal),
            (MqError::Cancelled, MqAction::Shutdown),
            (MqError::Closed, MqAction::Shutdown),
        ];
        for (err, want) in cases {
            assert_eq!(err.action(), want, "{err:?}");
        }
    }
}

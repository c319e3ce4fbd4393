//! RabbitMQ for newspipe: topology, confirmed publishing, consuming with prefetch and manual
//! ack. The only crate that imports lapin; nothing of lapin leaks through its API.
//!
//! Typical worker loop (the outer loop is the recovery path):
//!
//! ```no_run
//! # async fn worker(cfg: newspipe_mq::MqConfig, cancel: tokio_util::sync::CancellationToken)
//! #     -> Result<(), newspipe_mq::MqError> {
//! use newspipe_mq::{Backoff, Broker, MqAction, Queue};
//! let mut backoff = Backoff::default(); // every wait <= 3 s, jitter included
//! loop {
//!     let broker = Broker::connect(&cfg, &cancel).await?; // retries until up or cancelled
//!     broker.declare_topology().await?;
//!     let publisher = broker.publisher().await?;
//!     let mut consumer = broker.consumer(Queue::Pages, "parser").await?;
//!     let err = loop {
//!         let Some(next) = consumer.next().await else { return Ok(()) }; // cancelled + drained
//!         let delivery = match next { Ok(d) => d, Err(e) => break e };
//!         // The delivery limit of a classic queue is counted here (a no-op on quorum).
//!         let delivery = match delivery.admit(&publisher, "parser").await {
//!             Ok(newspipe_mq::Admission::Process(d)) => d,
//!             Ok(_) => continue,
//!             Err(e) => break e,
//!         };
//!         let out = delivery.data.clone(); // … the real work …
//!         if let Err(e) = publisher.publish(Queue::Store, &out).await {
//!             match e.action() {
//!                 MqAction::Retry => { let _ = delivery.retry_later().await; continue; }
//!                 MqAction::DeadLetter => {
//!                     let reason = e.to_string();
//!                     // The reason travels as a header; see `Broker::dead_list`.
//!                     if let Err(e) =
//!                         delivery.dead_letter_with_reason(&publisher, "parser", &reason).await
//!                     { break e; }
//!                     continue;
//!                 }
//!                 // Reconnect (unroutable = topology missing: never requeue), Fatal, Shutdown
//!                 _ => break e,
//!             }
//!         }
//!         if let Err(e) = delivery.ack().await { break e; }
//!         backoff.reset();
//!     };
//!     match err.action() {
//!         MqAction::Reconnect | MqAction::Retry | MqAction::DeadLetter => {
//!             // Log the wait actually used, not zero.
//!             let Some(_waited) = backoff.wait(&cancel).await else { return Ok(()) };
//!             continue;
//!         }
//!         MqAction::Shutdown => return Ok(()),
//!         MqAction::Fatal => return Err(err),
//!     }
//! }
//! # }
//! ```

mod backoff;
mod broadcast;
mod broker;
mod config;
mod consumer;
mod dead;
mod error;
mod management;
mod publisher;

pub use backoff::Backoff;
pub use broadcast::{BroadcastListener, BroadcastSender, broadcast_exchange};
pub use broker::{Broker, QueueDepth};
pub use config::{MqConfig, MqOptions, Queue, QueueType};
pub use consumer::{
    Admission, Consumer, ConsumerCanceller, DeadLettered, Death, Delivery, MAX_REASON_BYTES,
    RETURNS_HEADER, dead_headers,
};
pub use dead::{DeadMessage, REPLAYED_HEADER, ReplayReport};
pub use error::{MqAction, MqError};
pub use management::{QueueStats, queue_stats};
pub use publisher::{Durability, Publisher};

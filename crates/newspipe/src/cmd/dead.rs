//! `newspipe dead list | replay | purge`: what sits in the dead-letter queue, and why.

use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use newspipe_mq::Broker;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Show dead messages with their reason (they stay in the queue).
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// One JSON object per message.
        #[arg(long)]
        json: bool,
    },
    /// Move dead messages back to the queue they died in (after fixing the cause).
    Replay {
        #[arg(long, default_value_t = usize::MAX)]
        limit: usize,
    },
    /// Delete every dead message.
    Purge,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let never = CancellationToken::new();
    // connect() retries forever; a command gives the broker ten seconds.
    let broker = tokio::time::timeout(Duration::from_secs(10), Broker::connect(&cfg.mq(), &never))
        .await
        .context("RabbitMQ did not answer within 10 s (is it running? set AMQP_URL)")?
        .context("connecting to RabbitMQ")?;
    broker
        .declare_topology()
        .await
        .context("declaring queues")?;
    let ok = match args.action {
        Action::List { limit, json } => {
            let dead = broker
                .dead_list(limit)
                .await
                .context("reading the dead-letter queue")?;
            for m in &dead {
                let at = m
                    .dead_at_ms
                    .and_then(DateTime::<Utc>::from_timestamp_millis)
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default();
                if json {
                    let v = json!({
                        "reason": m.reason,
                        "worker": m.worker,
                        "queue": m.source_queue,
                        "dead_at": at,
                        "delivery_count": m.delivery_count,
                        "bytes": m.data.len(),
                    });
                    println!("{v}");
                } else {
                    println!(
                        "{at:<32} {:<28} {:<8} {:>8} B  {}",
                        m.source_queue.as_deref().unwrap_or("?"),
                        m.worker.as_deref().unwrap_or("?"),
                        m.data.len(),
                        m.reason.as_deref().unwrap_or("(no reason recorded)")
                    );
                }
            }
            if !json {
                eprintln!("{} dead message(s) shown", dead.len());
            }
            true
        }
        Action::Replay { limit } => {
            let r = broker.dead_replay(limit).await.context("replaying")?;
            println!(
                "replayed {}, left {} (no known source queue)",
                r.replayed, r.skipped
            );
            r.skipped == 0
        }
        Action::Purge => {
            let n = broker.dead_purge().await.context("purging")?;
            println!("purged {n} dead message(s)");
            true
        }
    };
    broker.close().await;
    Ok(ok)
}

//! `newspipe status`: queue depths, archive counts and the last minute's rate.

use std::time::Duration;

use anyhow::{Context, Result};
use newspipe_mq::{Broker, Queue};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use newspipe_store::UrlState;

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let store = super::connect_store(cfg).await?;
    let counts = store.counts().await.context("counting the archive")?;
    let hosts = store
        .host_status(HOSTS_SHOWN)
        .await
        .context("reading per-host figures")?;
    let queues = queue_depths(cfg).await;
    // Status is also a health check: an unreachable broker is printed and fails the command.
    let broker_ok = !queues
        .iter()
        .any(|q| q.get("queue").is_none() && q.get("error").is_some());
    let by_state: serde_json::Map<String, Value> = counts
        .urls_by_state
        .iter()
        .map(|(s, n)| (s.as_str().to_owned(), (*n).into()))
        .collect();
    // URLs still to crawl: none means the crawl is over.
    let open: i64 = counts
        .urls_by_state
        .iter()
        .filter(|(s, _)| matches!(s, UrlState::Queued | UrlState::Dispatched))
        .map(|(_, n)| n)
        .sum();
    if args.json {
        let v = json!({
            "queues": queues,
            "urls": by_state,
            "articles": counts.articles,
            "revisions": counts.revisions,
            "pages": counts.pages,
            "fetched_last_minute": counts.fetched_last_minute,
            "idle": open == 0,
            "hosts": hosts,
        });
        println!("{v}");
        return Ok(broker_ok);
    }
    println!(
        "{:<32} {:>9} {:>9} {:>9}",
        "queue", "ready", "unacked", "consumers"
    );
    for q in &queues {
        match q.get("queue") {
            Some(name) if q.get("error").is_some() => {
                println!(
                    "{:<32} {}",
                    name.as_str().unwrap_or(""),
                    q["error"].as_str().unwrap_or("")
                )
            }
            Some(name) => {
                // serde_json's Display ignores width, so format through strings.
                let cell = |v: &Value| {
                    if v.is_null() {
                        "?".to_string()
                    } else {
                        v.to_string()
                    }
                };
                println!(
                    "{:<32} {:>9} {:>9} {:>9}",
                    name.as_str().unwrap_or(""),
                    cell(&q["ready"]),
                    cell(&q["unacked"]),
                    cell(&q["consumers"])
                );
            }
            None => println!("{}", q["error"].as_str().unwrap_or("")),
        }
    }
    println!("\nfrontier:");
    for (state, n) in &counts.urls_by_state {
        println!("  {:<12} {n:>10}", state.as_str());
    }
    if open == 0 {
        println!("crawl: idle (nothing queued or in flight)");
    } else {
        println!("crawl: {open} URL(s) queued or in flight");
    }
    print_hosts(&hosts);
    println!(
        "archive: {} articles ({} revisions), {} pages",
        counts.articles, counts.revisions, counts.pages
    );
    println!(
        "last minute: {} pages fetched ({:.2}/s)",
        counts.fetched_last_minute,
        counts.fetched_last_minute as f64 / 60.0
    );
    Ok(broker_ok)
}

/// Hosts listed by `status`, most recently changed first.
const HOSTS_SHOWN: i64 = 20;

/// Per host: first fetches waiting, URLs due now, revisits in the last hour (how many of them
/// were 304s) and the last visit that found something new or changed.
fn print_hosts(hosts: &[newspipe_store::HostStatus]) {
    if hosts.is_empty() {
        return;
    }
    let capped = |n: i64| {
        if n >= newspipe_store::HOST_COUNT_CAP {
            format!("{n}+")
        } else {
            n.to_string()
        }
    };
    println!(
        "\n{:<32} {:>8} {:>8} {:>14} {:>6}  last change seen",
        "host", "queued", "due now", "revisits (1h)", "304"
    );
    for h in hosts {
        println!(
            "{:<32} {:>8} {:>8} {:>14} {:>6}  {}",
            h.host,
            capped(h.queued),
            capped(h.due_now),
            h.revisits_last_hour,
            h.not_modified_last_hour,
            h.last_change_at
                .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_else(|| "-".into())
        );
    }
}

const NOT_DECLARED: &str = "not declared yet (no worker has started)";

/// Ready and unacked counts from the management API; without it, ready counts over AMQP
/// (unacked unknown). Status answers quickly either way: an unreachable broker is reported.
async fn queue_depths(cfg: &Config) -> Vec<Value> {
    let mq = cfg.mq();
    if !cfg.amqp.management_url.is_empty() {
        match newspipe_mq::queue_stats(&cfg.amqp.management_url, &mq, &Queue::ALL).await {
            Ok(stats) => {
                return stats
                    .into_iter()
                    .map(|s| {
                        if s.declared {
                            json!({"queue": s.name, "ready": s.ready, "unacked": s.unacked, "consumers": s.consumers})
                        } else {
                            json!({"queue": s.name, "error": NOT_DECLARED})
                        }
                    })
                    .collect();
            }
            Err(e) => tracing::debug!(error = %e, "management API unavailable; using AMQP counts"),
        }
    }
    let mut out = Vec::new();
    // connect() retries until it succeeds; status gives it five seconds.
    let never = CancellationToken::new();
    let connect = Broker::connect(&mq, &never);
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(broker)) => {
            for q in Queue::ALL {
                let name = q.name(&mq.prefix);
                match broker.queue_depth(q).await {
                    Ok(d) => out.push(json!({"queue": name, "ready": d.ready, "unacked": null, "consumers": d.consumers})),
                    Err(newspipe_mq::MqError::NotFound(_)) => {
                        out.push(json!({"queue": name, "error": NOT_DECLARED}))
                    }
                    Err(e) => out.push(json!({"queue": name, "error": e.to_string()})),
                }
            }
            broker.close().await;
        }
        Ok(Err(e)) => out.push(json!({"error": format!("broker unreachable: {e}")})),
        Err(_) => out.push(json!({"error": "broker unreachable within 5 s"})),
    }
    out
}

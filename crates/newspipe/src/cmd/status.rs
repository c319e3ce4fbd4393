//! `newspipe status`: queue depths, archive counts and the last minute's rate.

use anyhow::{Context, Result};
use newspipe_mq::{Broker, Queue};
use serde_json::json;
use tokio_util::sync::CancellationToken;

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
    let mq = crate::workers::mq_config(cfg);
    // Status must answer quickly, so a broker that is down is reported, not waited for.
    let cancel = CancellationToken::new();
    let guard = cancel.clone();
    let timer = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        guard.cancel();
    });
    let mut queues = Vec::new();
    match Broker::connect(&mq, &cancel).await {
        Ok(broker) => {
            for q in [Queue::Crawl, Queue::Pages, Queue::Store, Queue::Dead] {
                let name = q.name(&mq.prefix);
                match broker.queue_depth(q).await {
                    Ok(d) => queues
                        .push(json!({"queue": name, "ready": d.ready, "consumers": d.consumers})),
                    Err(e) => queues.push(json!({"queue": name, "error": e.to_string()})),
                }
            }
            broker.close().await;
        }
        Err(e) => queues.push(json!({"error": format!("broker unreachable: {e}")})),
    }
    timer.abort();
    let by_state: serde_json::Map<String, serde_json::Value> = counts
        .urls_by_state
        .iter()
        .map(|(s, n)| (s.clone(), (*n).into()))
        .collect();
    if args.json {
        let v = json!({
            "queues": queues,
            "urls": by_state,
            "articles": counts.articles,
            "revisions": counts.revisions,
            "pages": counts.pages,
            "fetched_last_minute": counts.fetched_last_minute,
        });
        println!("{v}");
        return Ok(true);
    }
    println!("queues (ready messages, consumers; unacked = urls 'dispatched' below):");
    for q in &queues {
        match (q.get("queue"), q.get("ready")) {
            (Some(name), Some(ready)) => println!(
                "  {:<28} {:>8} {:>4}",
                name.as_str().unwrap_or(""),
                ready,
                q["consumers"]
            ),
            _ => println!("  {q}"),
        }
    }
    println!("frontier:");
    for (state, n) in &counts.urls_by_state {
        println!("  {state:<12} {n:>10}");
    }
    println!(
        "archive: {} articles ({} revisions), {} pages",
        counts.articles, counts.revisions, counts.pages
    );
    println!(
        "last minute: {} pages fetched ({:.2}/s)",
        counts.fetched_last_minute,
        counts.fetched_last_minute as f64 / 60.0
    );
    Ok(true)
}

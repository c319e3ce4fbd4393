//! `newspipe status`: queue depths, the frontier by state, archive counts, the fetch rate over
//! the real window, why URLs were skipped or failed, dead letters with their reasons; `--watch`.

use std::{
    fmt::Write as _,
    io::{IsTerminal, Write as _},
    time::Duration,
};

use anyhow::{Context, Result};
use chrono::Utc;
use newspipe_mq::{Broker, Queue};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use newspipe_store::{ArchiveCounts, Reasons, Store, UrlState};

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Refresh every SECS seconds (default 2) until Ctrl-C: in place on a terminal, one
    /// report after another (no escape codes) when piped.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "2")]
    watch: Option<u64>,
}

/// Reasons shown for skipped/failed URLs and for dead letters.
const TOP_REASONS: usize = 8;
/// Dead letters read (peeked, not removed) to rank their reasons.
const DEAD_PEEK: usize = 200;

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let store = super::connect_store(cfg).await?;
    let Some(every) = args.watch else {
        let report = Report::gather(cfg, &store).await?;
        print!("{}", report.render(args.json));
        return Ok(report.broker_ok);
    };
    let stop = crate::shutdown::on_signal();
    // In place only on a terminal; piped output gets no escape codes.
    let terminal = std::io::stdout().is_terminal();
    loop {
        let report = Report::gather(cfg, &store).await?;
        let ok = report.broker_ok;
        let text = report.render(args.json);
        if terminal && !args.json {
            // Home, clear screen: the new report replaces the old one.
            print!("\x1b[H\x1b[2J{text}");
        } else if args.json {
            print!("{text}");
        } else {
            print!(
                "--- {} ---\n{text}\n",
                Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
            );
        }
        std::io::stdout().flush()?;
        tokio::select! {
            _ = stop.cancelled() => return Ok(ok),
            _ = tokio::time::sleep(Duration::from_secs(every.max(1))) => {}
        }
    }
}

/// One look at the deployment.
struct Report {
    queues: Vec<Value>,
    /// Unacked counts come from the management API; false when it was not reachable.
    unacked_known: bool,
    broker_ok: bool,
    counts: ArchiveCounts,
    hosts: Vec<newspipe_store::HostStatus>,
    reasons: Reasons,
    dead: Option<DeadSummary>,
}

/// The dead-letter queue's size and most common reasons (from a peek at its head).
#[derive(serde::Serialize)]
struct DeadSummary {
    count: u64,
    /// `(reason, messages)` among the first [`DEAD_PEEK`], most common first.
    top_reasons: Vec<(String, usize)>,
    peeked: usize,
}

impl Report {
    async fn gather(cfg: &Config, store: &Store) -> Result<Report> {
        let counts = store.counts().await.context("counting the archive")?;
        let hosts = store
            .host_status(HOSTS_SHOWN)
            .await
            .context("reading per-host figures")?;
        let reasons = match store.failure_reasons(TOP_REASONS as i64).await {
            Ok(r) => r,
            Err(e) => {
                // A slow scan of a huge archive must not hide the rest of the report.
                tracing::warn!(error = %e, "could not rank skip/failure reasons");
                Reasons::default()
            }
        };
        let queues = queue_depths(cfg).await;
        // Status is also a health check: an unreachable broker is printed and fails the command.
        let broker_ok = !queues
            .iter()
            .any(|q| q.get("queue").is_none() && q.get("error").is_some());
        let unacked_known = queues.iter().all(|q| !q["unacked"].is_null());
        let dead_name = Queue::Dead.name(&cfg.amqp.prefix);
        let dead_count = queues
            .iter()
            .find(|q| q["queue"].as_str() == Some(dead_name.as_str()))
            .and_then(|q| {
                q["ready"]
                    .as_u64()
                    .zip(Some(q["unacked"].as_u64().unwrap_or(0)))
            })
            .map(|(ready, unacked)| ready + unacked);
        let dead = match dead_count {
            Some(0) => Some(DeadSummary {
                count: 0,
                top_reasons: Vec::new(),
                peeked: 0,
            }),
            Some(count) => Some(dead_summary(cfg, count).await),
            None => None,
        };
        Ok(Report {
            queues,
            unacked_known,
            broker_ok,
            counts,
            hosts,
            reasons,
            dead,
        })
    }

    /// URLs still to crawl: none means the crawl is over.
    fn open(&self) -> i64 {
        self.counts
            .urls_by_state
            .iter()
            .filter(|(s, _)| matches!(s, UrlState::Queued | UrlState::Dispatched))
            .map(|(_, n)| n)
            .sum()
    }

    fn rate(&self) -> f64 {
        self.counts.fetched_last_minute as f64 / self.window_secs()
    }

    fn window_secs(&self) -> f64 {
        (self.counts.rate_window_ms as f64 / 1000.0).max(1.0)
    }

    fn render(&self, json: bool) -> String {
        if json {
            return self.render_json();
        }
        let mut out = String::new();
        self.render_queues(&mut out);
        self.render_frontier(&mut out);
        render_hosts(&mut out, &self.hosts);
        self.render_reasons(&mut out);
        self.render_dead(&mut out);
        out
    }

    fn render_json(&self) -> String {
        let by_state: serde_json::Map<String, Value> = self
            .counts
            .urls_by_state
            .iter()
            .map(|(s, n)| (s.as_str().to_owned(), (*n).into()))
            .collect();
        let v = json!({
            "queues": self.queues,
            "unacked_known": self.unacked_known,
            "urls": by_state,
            "articles": self.counts.articles,
            "revisions": self.counts.revisions,
            "pages": self.counts.pages,
            "in_flight": self.counts.in_flight,
            "hosts": self.hosts,
            "fetched_last_minute": self.counts.fetched_last_minute,
            "rate_window_secs": self.window_secs(),
            "pages_per_sec": self.rate(),
            "reasons": self.reasons.top,
            "reasons_sampled": self.reasons.sampled,
            "dead": self.dead,
            "idle": self.open() == 0,
        });
        format!("{v}\n")
    }

    fn render_queues(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "{:<32} {:>9} {:>9} {:>9}",
            "queue", "ready", "unacked", "consumers"
        );
        for q in &self.queues {
            match q.get("queue") {
                Some(name) if q.get("error").is_some() => {
                    let _ = writeln!(
                        out,
                        "{:<32} {}",
                        name.as_str().unwrap_or(""),
                        q["error"].as_str().unwrap_or("")
                    );
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
                    let _ = writeln!(
                        out,
                        "{:<32} {:>9} {:>9} {:>9}",
                        name.as_str().unwrap_or(""),
                        cell(&q["ready"]),
                        cell(&q["unacked"]),
                        cell(&q["consumers"])
                    );
                }
                None => {
                    let _ = writeln!(out, "{}", q["error"].as_str().unwrap_or(""));
                }
            }
        }
        if !self.unacked_known && self.broker_ok {
            out.push_str(
                "  (unacked ?: messages held by workers are counted only by RabbitMQ's management \
                 API, which did not answer at amqp.management_url; enable it with \
                 `rabbitmq-plugins enable rabbitmq_management`)\n",
            );
        }
    }

    fn render_frontier(&self, out: &mut String) {
        out.push_str("\nfrontier:\n");
        for (state, n) in &self.counts.urls_by_state {
            let _ = writeln!(out, "  {:<12} {n:>10}", state.as_str());
        }
        let open = self.open();
        if open == 0 {
            out.push_str("crawl: idle (nothing queued or in flight)\n");
        } else {
            let _ = writeln!(
                out,
                "crawl: {open} URL(s) queued or in flight ({} dispatched)",
                self.counts.in_flight
            );
        }
        let c = &self.counts;
        let _ = writeln!(
            out,
            "archive: {} articles ({} revisions), {} pages",
            c.articles, c.revisions, c.pages
        );
        let _ = writeln!(
            out,
            "rate: {} pages fetched in the last {:.0} s ({:.2}/s)",
            c.fetched_last_minute,
            self.window_secs(),
            self.rate()
        );
    }

    fn render_reasons(&self, out: &mut String) {
        if self.reasons.top.is_empty() {
            return;
        }
        let sampled = if self.reasons.sampled {
            ", counted over a sample of 100,000 URLs"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "\nwhy URLs were skipped or failed (top {TOP_REASONS}{sampled}):"
        );
        for r in &self.reasons.top {
            let _ = writeln!(
                out,
                "  {:<8} {:>8}  {}",
                r.state.as_str(),
                r.urls,
                one_line(&r.reason, 100)
            );
        }
    }

    fn render_dead(&self, out: &mut String) {
        let Some(dead) = &self.dead else {
            return;
        };
        let _ = writeln!(out, "\ndead letters: {}", dead.count);
        if dead.top_reasons.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "  top reasons (of the first {}; `newspipe dead list` shows them):",
            dead.peeked
        );
        for (reason, n) in &dead.top_reasons {
            let _ = writeln!(out, "  {n:>8}  {}", one_line(reason, 100));
        }
    }
}

/// Hosts listed by `status`, most recently changed first.
const HOSTS_SHOWN: i64 = 20;

/// Per host: first fetches waiting, URLs due now, revisits in the last hour (how many of them
/// were 304s) and the last visit that found something new or changed.
fn render_hosts(out: &mut String, hosts: &[newspipe_store::HostStatus]) {
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
    let _ = writeln!(
        out,
        "\n{:<32} {:>8} {:>8} {:>14} {:>6}  last change seen",
        "host", "queued", "due now", "revisits (1h)", "304"
    );
    for h in hosts {
        let _ = writeln!(
            out,
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

/// `s` on one line, cut at `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max - 1).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

/// Peeks at the head of the dead-letter queue and ranks its reasons.
async fn dead_summary(cfg: &Config, count: u64) -> DeadSummary {
    let mut summary = DeadSummary {
        count,
        top_reasons: Vec::new(),
        peeked: 0,
    };
    let never = CancellationToken::new();
    let Ok(Ok(broker)) =
        tokio::time::timeout(Duration::from_secs(5), Broker::connect(&cfg.mq(), &never)).await
    else {
        return summary;
    };
    match broker.dead_list(DEAD_PEEK).await {
        Ok(messages) => {
            let mut by_reason: std::collections::HashMap<String, usize> = Default::default();
            for m in &messages {
                let reason = m.reason.clone().unwrap_or_else(|| "(no reason)".into());
                *by_reason.entry(reason).or_default() += 1;
            }
            let mut ranked: Vec<(String, usize)> = by_reason.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            ranked.truncate(TOP_REASONS);
            summary.peeked = messages.len();
            summary.top_reasons = ranked;
        }
        Err(e) => tracing::warn!(error = %e, "could not read the dead-letter queue"),
    }
    broker.close().await;
    summary
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

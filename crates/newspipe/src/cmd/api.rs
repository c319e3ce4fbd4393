//! `newspipe api`: serves the read-only HTTP API and web pages (`newspipe-api`) on its own
//! small read-only pool with a statement timeout. It starts without Postgres and answers 503
//! until the database is reachable.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::{Context, Result};
use newspipe_api::{ApiState, router};
use newspipe_store::Store;

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "NEWSPIPE_API_LISTEN")]
    listen: SocketAddr,
    /// Connections to Postgres (each request holds one for its queries only).
    #[arg(long, default_value_t = 8)]
    max_connections: u32,
    /// Any statement running longer is cancelled (the request gets 503).
    #[arg(long, default_value_t = 5000)]
    statement_timeout_ms: u64,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let store = Store::connect_read_only(
        &cfg.database.url,
        args.max_connections,
        Duration::from_millis(args.statement_timeout_ms.max(1)),
    )
    .with_context(|| format!("bad database URL {}", super::redact(&cfg.database.url)))?;
    let mut state = ApiState::new(store);
    match metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&[
            0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
        ])
        .context("metrics buckets")?
        .install_recorder()
    {
        Ok(handle) => state.metrics = Some(Arc::new(move || handle.render())),
        Err(e) => tracing::warn!(error = %e, "metrics recorder not installed; /metrics is empty"),
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    eprintln!(
        "newspipe api: listening on http://{}",
        listener.local_addr()?
    );
    let stop = crate::shutdown::on_signal();
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
        .context("serving the API")?;
    Ok(true)
}

//! Logs (tracing, human or JSON) and the Prometheus exporter.

use anyhow::{Context, Result};
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::{Config, LogFormat};

/// Logs go to stderr so command output (JSON lines, tables) stays clean on stdout.
/// `RUST_LOG` overrides `default_filter`.
pub fn init_logs(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests calling main twice) is harmless, so the error is ignored.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Human => builder.try_init(),
    };
}

/// Starts the `/metrics` listener when configured. Histograms get buckets so they export as
/// Prometheus histograms (aggregatable across replicas), not summaries.
pub fn init_metrics(cfg: &Config) -> Result<()> {
    let Some(addr) = cfg.metrics_addr()? else {
        return Ok(());
    };
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(addr)
        .set_buckets(&[
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ])
        .context("metrics buckets")?
        .install()
        .with_context(|| format!("cannot serve metrics on {addr}"))?;
    tracing::info!(%addr, "serving Prometheus metrics");
    Ok(())
}

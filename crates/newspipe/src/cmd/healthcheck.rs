//! `newspipe healthcheck`: asks a worker's metrics listener for `/healthz` (compose's
//! healthcheck; the image has no curl). Exit 0 while the worker consumes, 1 otherwise.

use std::{net::SocketAddr, time::Duration};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The worker's metrics address; default `telemetry.metrics_addr` (an unspecified
    /// address such as 0.0.0.0 is asked on loopback).
    #[arg(long)]
    addr: Option<SocketAddr>,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let mut addr = match args.addr {
        Some(a) => a,
        None => cfg.metrics_addr()?.context(
            "no address to check: telemetry.metrics_addr is empty (set it, or pass --addr)",
        )?,
    };
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let answer = tokio::time::timeout(Duration::from_secs(5), ask(addr))
        .await
        .with_context(|| format!("no answer from {addr} within 5 s"))??;
    let status_line = answer.lines().next().unwrap_or_default();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().trim();
    if status_line.split_whitespace().nth(1) == Some("200") {
        println!("healthy: {body}");
        Ok(true)
    } else if status_line.is_empty() {
        bail!("{addr} closed the connection without an answer")
    } else {
        println!("unhealthy: {status_line}: {body}");
        Ok(false)
    }
}

/// One HTTP/1.0 GET: the answer is small and the connection closes after it.
async fn ask(addr: SocketAddr) -> Result<String> {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot reach the worker's metrics listener at {addr}"))?;
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {addr}\r\n\r\n",
        crate::telemetry::HEALTH_PATH
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buf = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut buf).await?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

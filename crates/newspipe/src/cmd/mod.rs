//! The user's commands: short-lived, print to stdout, exit non-zero when something was refused.

pub mod enqueue;
pub mod extract;
pub mod search;
pub mod status;
// Archive reading (issue 9).
pub mod api;
pub mod export;
mod record;
pub mod show;

use anyhow::{Context, Result};
use newspipe_store::Store;

use crate::config::Config;

/// Connects to the archive with a small pool: commands run a handful of queries.
pub async fn connect_store(cfg: &Config) -> Result<Store> {
    Store::connect(&cfg.database.url, 2).await.with_context(|| {
        format!(
            "cannot reach Postgres at {} (is it running? set DATABASE_URL)",
            redact(&cfg.database.url)
        )
    })
}

pub async fn migrate(cfg: &Config) -> Result<bool> {
    let store = connect_store(cfg).await?;
    store.migrate().await.context("applying migrations")?;
    println!("migrations applied");
    Ok(true)
}

/// Hides a password in a connection URL before it is printed.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

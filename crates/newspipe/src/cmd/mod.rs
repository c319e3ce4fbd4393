//! The user's commands: short-lived, print to stdout, exit non-zero when something was refused.

pub mod dead;
pub mod enqueue;
pub mod extract;
pub mod healthcheck;
pub mod reparse;
pub mod revisions;
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

/// Connects to the archive with a small pool (commands run a handful of queries) and checks
/// that its schema is this build's; each way it can fail says what to do.
pub async fn connect_store(cfg: &Config) -> Result<Store> {
    let where_ = redact(&cfg.database.url);
    let store = match Store::connect(&cfg.database.url, 2).await {
        Ok(s) => s,
        Err(e) if e.is_missing_database() => anyhow::bail!(
            "the archive database does not exist at {where_}: run `newspipe migrate` (it creates it)"
        ),
        Err(e) if e.is_transient() => anyhow::bail!(
            "cannot reach Postgres at {where_}: {e} (is it running? set DATABASE_URL)"
        ),
        Err(e) => anyhow::bail!("cannot use Postgres at {where_}: {e}"),
    };
    if store
        .needs_migration()
        .await
        .context("reading the schema version")?
    {
        anyhow::bail!(
            "the archive at {where_} has no schema or an older one: run `newspipe migrate`"
        );
    }
    Ok(store)
}

/// Creates the database when it is missing and applies the migrations.
pub async fn migrate(cfg: &Config) -> Result<bool> {
    let where_ = redact(&cfg.database.url);
    let store = Store::connect_creating(&cfg.database.url, 2)
        .await
        .with_context(|| format!("connecting to Postgres at {where_}"))?;
    store.migrate().await.context("applying migrations")?;
    println!("migrations applied to {where_}");
    Ok(true)
}

/// The article a command names: an id, its canonical URL, or any URL that led to it. `None`
/// (after saying so on stderr) when there is none.
pub async fn find_article(
    store: &Store,
    target: &str,
) -> Result<Option<newspipe_store::ArticleRecord>> {
    let found = match target.trim().parse::<i64>() {
        Ok(id) => store.article(id).await,
        Err(_) => store.article_by_url(target).await,
    }
    .with_context(|| format!("looking up {target}"))?;
    if found.is_none() {
        eprintln!("newspipe: no article for {target}");
    }
    Ok(found)
}

/// A `--since` value (RFC 3339, YYYY-MM-DD or a 4–14 digit timestamp), as the API reads `from`.
pub fn parse_since(value: Option<&str>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    value
        .map(|v| {
            newspipe_api::params::parse_time("--since", v, false)
                .map_err(|p| anyhow::anyhow!(p.detail))
        })
        .transpose()
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

//! `newspipe search`: full-text search over archived articles.

use anyhow::{Context, Result};

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words, "quoted phrases", -excluded, or (web-search syntax).
    query: String,
    #[arg(long, default_value_t = 10)]
    limit: i64,
    /// One JSON object per hit instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let store = super::connect_store(cfg).await?;
    let hits = store
        .search(&args.query, args.limit.clamp(1, 1000))
        .await
        .context("searching")?;
    for h in &hits {
        if args.json {
            println!("{}", serde_json::to_string(h)?);
        } else {
            let date = h
                .published_at
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "----------".into());
            println!(
                "{date}  {}\n            {}\n            {}\n",
                h.title.as_deref().unwrap_or("(untitled)"),
                h.canonical_url,
                h.snippet
            );
        }
    }
    if !args.json {
        eprintln!("{} hit(s)", hits.len());
    }
    Ok(true)
}

//! `newspipe search`: full-text search over archived articles, with the API's filters.

use anyhow::{Context, Result};
use newspipe_store::{MAX_SEARCH_LIMIT, SearchQuery};

use super::record::{Record, emit};
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words, "quoted phrases", -excluded, or (web-search syntax).
    query: String,
    /// Hits to print (fetched 100 at a time).
    #[arg(long, default_value_t = 10)]
    limit: i64,
    /// Only articles from this host.
    #[arg(long)]
    site: Option<String>,
    #[arg(long)]
    section: Option<String>,
    /// ISO 639-1 language code.
    #[arg(long)]
    lang: Option<String>,
    #[arg(long)]
    author: Option<String>,
    /// Published at or after (RFC 3339, YYYY-MM-DD or a 4–14 digit timestamp).
    #[arg(long)]
    from: Option<String>,
    /// Published before.
    #[arg(long)]
    to: Option<String>,
    /// One JSON object per hit (the export fields, plus rank and snippet) instead of text.
    #[arg(long)]
    json: bool,
}

fn time(name: &str, v: &Option<String>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    v.as_deref()
        .map(|v| {
            newspipe_api::params::parse_time(name, v, false).map_err(|p| anyhow::anyhow!(p.detail))
        })
        .transpose()
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    if args.limit < 1 {
        anyhow::bail!("--limit must be at least 1");
    }
    let store = super::connect_store(cfg).await?;
    let mut q = SearchQuery {
        q: args.query.clone(),
        site: args.site.clone(),
        section: args.section.clone(),
        lang: args.lang.clone(),
        author: args.author.clone(),
        from: time("--from", &args.from)?,
        to: time("--to", &args.to)?,
        limit: args.limit.min(MAX_SEARCH_LIMIT),
        cursor: None,
    };
    let mut printed = 0i64;
    loop {
        let page = store.search_archive(&q).await.context("searching")?;
        for h in &page.hits {
            let snippet: String = h.snippet.iter().map(|s| s.text.as_str()).collect();
            if args.json {
                let mut v = serde_json::to_value(Record::from(&h.article))?;
                v["rank"] = h.rank.into();
                v["snippet"] = snippet.into();
                emit(&format!("{v}\n"))?;
            } else {
                let a = &h.article;
                let date = a
                    .published_at
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "----------".into());
                emit(&format!(
                    "{date}  {}\n            {}\n            {}\n\n",
                    a.title.as_deref().unwrap_or("(untitled)"),
                    a.canonical_url,
                    snippet.split_whitespace().collect::<Vec<_>>().join(" ")
                ))?;
            }
            printed += 1;
        }
        match page.next_cursor {
            Some(c) if printed < args.limit => {
                q.cursor = Some(c);
                q.limit = (args.limit - printed).min(MAX_SEARCH_LIMIT);
            }
            _ => break,
        }
    }
    if !args.json {
        eprintln!("{printed} hit(s)");
    }
    Ok(true)
}

//! `newspipe show URL|ID`: one story with its metadata and revision list.

use anyhow::{Context, Result};
use serde_json::json;

use std::fmt::Write;

use super::record::{Record, emit};
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An article id, its canonical URL, or any URL that led to it.
    target: String,
    /// One JSON object (the export fields plus `revisions`) instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let store = super::connect_store(cfg).await?;
    let Some(a) = super::find_article(&store, &args.target).await? else {
        return Ok(false);
    };
    let revisions = store
        .revisions(a.id)
        .await
        .context("listing revisions")?
        .unwrap_or_default();
    if args.json {
        let mut v = serde_json::to_value(Record::from(&a))?;
        v["revisions"] = json!(revisions);
        emit(&format!("{v}\n"))?;
        return Ok(true);
    }
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.to_rfc3339()).unwrap_or_else(|| "-".into())
    };
    let mut o = String::new();
    writeln!(o, "{}", a.title.as_deref().unwrap_or("(untitled)"))?;
    writeln!(o, "  id          {}", a.id)?;
    writeln!(o, "  url         {}", a.canonical_url)?;
    if a.url != a.canonical_url {
        writeln!(o, "  fetched at  {}", a.url)?;
    }
    writeln!(o, "  site        {}", a.site.as_deref().unwrap_or("-"))?;
    writeln!(o, "  authors     {}", a.authors.join(", "))?;
    writeln!(o, "  published   {}", date(a.published_at))?;
    writeln!(o, "  modified    {}", date(a.modified_at))?;
    writeln!(o, "  section     {}", a.section.as_deref().unwrap_or("-"))?;
    writeln!(o, "  language    {}", a.language.as_deref().unwrap_or("-"))?;
    writeln!(o, "  words       {}", a.word_count)?;
    writeln!(o, "\nrevisions:")?;
    for r in &revisions {
        let mut note = String::new();
        if r.minor {
            note.push_str(" (minor)");
        }
        if r.reparse {
            note.push_str(" (re-parse)");
        }
        writeln!(
            o,
            "  {:>3}  {}  {:>6} words  {}{note}",
            r.number,
            r.fetched_at.format("%Y-%m-%d %H:%M:%S"),
            r.word_count,
            r.title.as_deref().unwrap_or("")
        )?;
    }
    writeln!(o, "\n{}", a.body)?;
    emit(&o)?;
    Ok(true)
}
